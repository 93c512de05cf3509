// What Swift cannot import from libxml2/xmlsec1 directly: function-like macros, the xmlFree
// global, and a parser set up to refuse DTDs. Kept deliberately small.
#ifndef VARCO_CXMLSEC_SHIM_PUBLIC_H
#define VARCO_CXMLSEC_SHIM_PUBLIC_H

#include "../../CXMLSec/shim.h"

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
