// XML Encryption 1.1 as SAML uses it (SAML core §6): an element encrypted with a fresh AES-GCM key,
// the key transported by RSA-OAEP in an EncryptedKey inside the EncryptedData's KeyInfo.
#ifndef VARCO_ENCRYPTION_H
#define VARCO_ENCRYPTION_H

#include "../../CXMLSec/shim.h"

/// Outcome codes for varco_xmlenc_encrypt and varco_xmlenc_decrypt.
enum {
    VARCO_ENC_OK = 0,
    VARCO_ENC_FAILED = 1,  // wrong key, tampered ciphertext (GCM tag), or an algorithm outside the allow-list
    VARCO_ENC_TOO_LARGE = 2,
    VARCO_ENC_ERROR = 3    // could not run (out of memory, unusable key, template)
};

/// Encrypts `element` (Type Element) with a fresh AES-256-GCM key (xmlenc11#aes256-gcm) and transports that key
/// to `recipient` (a public key loaded from a certificate) by RSA-OAEP (xmlenc#rsa-oaep-mgf1p, SHA-1 digest),
/// in an EncryptedKey inside the EncryptedData's KeyInfo, whose own KeyInfo carries the recipient's certificate.
/// Namespaces the element inherits are declared on it first, so the plaintext stands alone. On success the
/// element is freed and replaced in its document by the xenc:EncryptedData, returned in *encrypted_data.
int varco_xmlenc_encrypt(xmlNodePtr element, xmlSecKeyPtr recipient, xmlNodePtr *encrypted_data);

/// Decrypts `encrypted_data` (an xenc:EncryptedData whose KeyInfo holds exactly one EncryptedKey; the caller
/// checks that shape) with `private_key`. The KeyInfo is never read by xmlsec (no RetrievalMethod, no
/// certificate lookups, no external references): the key is set explicitly at each step. Allowed: RSA-OAEP
/// (mgf1p) for the key, AES-128-GCM or AES-256-GCM for the data, CipherValue only. On success *plaintext
/// receives a malloc'd copy (free with varco_xml_free) of at most `limit` bytes, *plaintext_len its length.
int varco_xmlenc_decrypt(xmlNodePtr encrypted_data, xmlNodePtr encrypted_key, xmlSecKeyPtr private_key, size_t limit,
                         unsigned char **plaintext, size_t *plaintext_len);

#endif
