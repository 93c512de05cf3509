// What Swift cannot import from libxml2/xmlsec1 directly: function-like macros, the xmlFree
// global, and a parser set up to refuse DTDs. Kept deliberately small.
#ifndef VARCO_CXMLSEC_SHIM_PUBLIC_H
#define VARCO_CXMLSEC_SHIM_PUBLIC_H

#include "../../CXMLSec/shim.h"
#include "VarcoCertificate.h"
#include "VarcoEncryption.h"

/// Initialises libxml2, xmlsec1 and its OpenSSL backend once. Returns 0 on success.
int varco_xml_init(void);

/// Parse outcome codes for varco_xml_parse.
enum { VARCO_PARSE_OK = 0, VARCO_PARSE_MALFORMED = 1, VARCO_PARSE_DTD = 2 };

/// Parses a document without network access, without entity substitution, refusing any DOCTYPE.
xmlDocPtr varco_xml_parse(const char *buffer, int length, int *outcome);

void varco_xml_free(void *memory);

xmlSecTransformId varco_transform_exc_c14n(void);
xmlSecTransformId varco_transform_c14n(void);
xmlSecTransformId varco_transform_enveloped(void);
xmlSecTransformId varco_transform_rsa_sha1(void);
xmlSecTransformId varco_transform_rsa_sha256(void);
xmlSecTransformId varco_transform_rsa_sha512(void);
xmlSecTransformId varco_transform_ecdsa_sha256(void);
xmlSecTransformId varco_transform_sha1(void);
xmlSecTransformId varco_transform_sha256(void);
xmlSecTransformId varco_transform_sha512(void);

const char *varco_transform_href(xmlSecTransformId id);

/// Signs `length` bytes with the key's private part; digest is "SHA256", "SHA512" or "SHA1".
/// On success returns the signature length written to `out` (capacity `capacity`), else -1.
int varco_evp_sign(xmlSecKeyPtr key, const char *digest, const unsigned char *data, size_t length,
                   unsigned char *out, size_t capacity);

/// Verifies a raw signature (RSA PKCS#1 v1.5 or ECDSA DER) over data. Returns 1 if valid.
int varco_evp_verify(xmlSecKeyPtr key, const char *digest, const unsigned char *data, size_t length,
                     const unsigned char *signature, size_t signatureLength);

#endif

/// Outcome codes for varco_dsig_verify.
enum {
    VARCO_VERIFY_OK = 0,
    VARCO_VERIFY_FAILED = 1,        // cryptographically invalid or refused algorithm
    VARCO_VERIFY_BAD_REFERENCE = 2, // not exactly one reference to "#<ID of the signed element>"
    VARCO_VERIFY_ERROR = 3          // could not run (out of memory, bad key)
};

/// Verifies the enveloped signature `signature` (a ds:Signature child of the signed element) with
/// `key` only (KeyInfo in the message is ignored). Allowed: exclusive C14N, enveloped transform,
/// RSA-SHA256/512, ECDSA-SHA256, SHA-256/512 digests; SHA-1 only if allow_sha1. The single reference
/// must be the same-document URI `expected_uri`. On success *pre_digest receives a malloc'd copy of
/// the canonical bytes that were digested (free with varco_xml_free) and *pre_digest_len its length.
int varco_dsig_verify(xmlNodePtr signature, xmlSecKeyPtr key, int allow_sha1, const char *expected_uri,
                      unsigned char **pre_digest, size_t *pre_digest_len);

/// Creates an enveloped RSA-SHA256 / exclusive-C14N / SHA-256 signature of `element` (whose ID is `id`),
/// placed right after `after` (or as the first child when NULL), with the key's certificate in KeyInfo,
/// and signs it. Returns 0 on success.
int varco_dsig_sign(xmlDocPtr doc, xmlNodePtr element, xmlNodePtr after, const char *id, xmlSecKeyPtr key);

/// Generates an RSA key of `bits` and a self-signed certificate for `common_name`, valid `days`
/// days, as two malloc'd PEM strings (free with varco_xml_free). Returns 0 on success.
int varco_generate_self_signed(int bits, const char *common_name, int days, char **key_pem, char **cert_pem);

/// Generates an RSA key of `bits` and a self-signed certificate valid `days` days whose subject is
/// `subject` (`count` pairs of field name or dotted OID, then UTF-8 value: fields[2i], fields[2i+1])
/// and whose extensions are `extensions` (`ext_count` pairs of OpenSSL extension name, then its
/// configuration value, e.g. "keyUsage", "critical,digitalSignature"). Signed with SHA-256.
/// Returns 0 on success, with two malloc'd PEM strings (free with varco_xml_free).
int varco_generate_certificate(int bits, int days, const char *const *subject, int count,
                               const char *const *extensions, int ext_count, char **key_pem, char **cert_pem);

/// Inflates raw DEFLATE data (no zlib header), as the SAML HTTP-Redirect binding uses, into `out`.
/// Returns the inflated length, -1 if the data is corrupt, -2 if it would exceed `capacity`.
long varco_inflate_raw(const unsigned char *data, size_t length, unsigned char *out, size_t capacity);

/// Compresses `data` with raw DEFLATE into `out`. Returns the compressed length or -1.
long varco_deflate_raw(const unsigned char *data, size_t length, unsigned char *out, size_t capacity);
