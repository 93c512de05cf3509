#include "CXMLSecShim.h"
#include <string.h>
#include <pthread.h>

static xmlParserInputPtr varco_no_external_entities(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL; // never load anything from outside the message
}

static void varco_silent_errors(const char *file, int line, const char *func, const char *errorObject,
                                const char *errorSubject, int reason, const char *msg) {
    (void)file; (void)line; (void)func; (void)errorObject; (void)errorSubject; (void)reason; (void)msg;
}

static void varco_silent_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

static int varco_init_status = -1;
static pthread_once_t varco_once = PTHREAD_ONCE_INIT;

static void varco_do_init(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(varco_no_external_entities);
    xmlSetGenericErrorFunc(NULL, varco_silent_generic);
    if (xmlSecInit() < 0) return;
    if (xmlSecCheckVersion() != 1) return;
    if (xmlSecCryptoAppInit(NULL) < 0) return;
    if (xmlSecCryptoInit() < 0) return;
    xmlSecErrorsSetCallback(varco_silent_errors);
    varco_init_status = 0;
}

int varco_xml_init(void) {
    pthread_once(&varco_once, varco_do_init);
    return varco_init_status;
}

static void varco_refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *externalID, const xmlChar *systemID) {
    (void)name; (void)externalID; (void)systemID;
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    ctxt->_private = (void *)1;
    xmlStopParser(ctxt);
}

static void varco_refuse_entity(void *ctx, const xmlChar *name, int type, const xmlChar *publicId,
                                const xmlChar *systemId, xmlChar *content) {
    (void)name; (void)type; (void)publicId; (void)systemId; (void)content;
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    ctxt->_private = (void *)1;
    xmlStopParser(ctxt);
}

xmlDocPtr varco_xml_parse(const char *buffer, int length, int *outcome) {
    *outcome = VARCO_PARSE_MALFORMED;
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(buffer, length);
    if (ctxt == NULL) return NULL;
    ctxt->sax->internalSubset = varco_refuse_dtd;
    ctxt->sax->externalSubset = varco_refuse_dtd;
    ctxt->sax->entityDecl = varco_refuse_entity;
    ctxt->_private = NULL;
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    xmlParseDocument(ctxt);
    xmlDocPtr doc = ctxt->myDoc;
    int dtd = ctxt->_private != NULL;
    int ok = ctxt->wellFormed && !dtd && doc != NULL && doc->intSubset == NULL && doc->extSubset == NULL;
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    if (!ok) {
        if (doc != NULL) xmlFreeDoc(doc);
        *outcome = dtd ? VARCO_PARSE_DTD : VARCO_PARSE_MALFORMED;
        return NULL;
    }
    *outcome = VARCO_PARSE_OK;
    return doc;
}

void varco_xml_free(void *memory) { xmlFree(memory); }

xmlSecTransformId varco_transform_exc_c14n(void) { return xmlSecTransformExclC14NId; }
xmlSecTransformId varco_transform_c14n(void) { return xmlSecTransformInclC14NId; }
xmlSecTransformId varco_transform_enveloped(void) { return xmlSecTransformEnvelopedId; }
xmlSecTransformId varco_transform_rsa_sha1(void) { return xmlSecTransformRsaSha1Id; }
xmlSecTransformId varco_transform_rsa_sha256(void) { return xmlSecTransformRsaSha256Id; }
xmlSecTransformId varco_transform_rsa_sha512(void) { return xmlSecTransformRsaSha512Id; }
xmlSecTransformId varco_transform_ecdsa_sha256(void) { return xmlSecTransformEcdsaSha256Id; }
xmlSecTransformId varco_transform_sha1(void) { return xmlSecTransformSha1Id; }
xmlSecTransformId varco_transform_sha256(void) { return xmlSecTransformSha256Id; }
xmlSecTransformId varco_transform_sha512(void) { return xmlSecTransformSha512Id; }

const char *varco_transform_href(xmlSecTransformId id) { return (const char *)id->href; }

static EVP_PKEY *varco_key_evp(xmlSecKeyPtr key) {
    if (key == NULL) return NULL;
    xmlSecKeyDataPtr value = xmlSecKeyGetValue(key);
    if (value == NULL) return NULL;
    return xmlSecOpenSSLEvpKeyDataGetEvp(value);
}

int varco_evp_sign(xmlSecKeyPtr key, const char *digest, const unsigned char *data, size_t length,
                   unsigned char *out, size_t capacity) {
    EVP_PKEY *pkey = varco_key_evp(key);
    const EVP_MD *md = EVP_get_digestbyname(digest);
    if (pkey == NULL || md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    size_t written = capacity;
    int ok = EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) == 1
          && EVP_DigestSign(ctx, out, &written, data, length) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? (int)written : -1;
}

int varco_evp_verify(xmlSecKeyPtr key, const char *digest, const unsigned char *data, size_t length,
                     const unsigned char *signature, size_t signatureLength) {
    EVP_PKEY *pkey = varco_key_evp(key);
    const EVP_MD *md = EVP_get_digestbyname(digest);
    if (pkey == NULL || md == NULL) return 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return 0;
    int ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1
          && EVP_DigestVerify(ctx, signature, signatureLength, data, length) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 1 : 0;
}

static int varco_enable_transforms(xmlSecDSigCtxPtr ctx, int allow_sha1) {
    int rc = 0;
    rc |= xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId);
    rc |= xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha256Id);
    rc |= xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha512Id);
    rc |= xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha256Id);
    rc |= xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId);
    rc |= xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId);
    rc |= xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id);
    rc |= xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha512Id);
    if (allow_sha1) {
        rc |= xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha1Id);
        rc |= xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha1Id);
    }
    return rc;
}

int varco_dsig_verify(xmlNodePtr signature, xmlSecKeyPtr key, int allow_sha1, const char *expected_uri,
                      unsigned char **pre_digest, size_t *pre_digest_len) {
    *pre_digest = NULL;
    *pre_digest_len = 0;
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) return VARCO_VERIFY_ERROR;
    int result = VARCO_VERIFY_ERROR;
    ctx->flags = XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES | XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->keyInfoReadCtx.flags |= XMLSEC_KEYINFO_FLAGS_DONT_STOP_ON_KEY_FOUND;
    if (varco_enable_transforms(ctx, allow_sha1) != 0) goto done;
    ctx->signKey = key; // lent: cleared before the context is destroyed
    if (xmlSecDSigCtxVerify(ctx, signature) < 0) { result = VARCO_VERIFY_FAILED; goto done; }
    if (ctx->status != xmlSecDSigStatusSucceeded) { result = VARCO_VERIFY_FAILED; goto done; }
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) { result = VARCO_VERIFY_BAD_REFERENCE; goto done; }
    xmlSecDSigReferenceCtxPtr ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
    if (ref == NULL || ref->uri == NULL || strcmp((const char *)ref->uri, expected_uri) != 0) {
        result = VARCO_VERIFY_BAD_REFERENCE;
        goto done;
    }
    xmlSecBufferPtr buffer = xmlSecDSigReferenceCtxGetPreDigestBuffer(ref);
    if (buffer == NULL) goto done;
    size_t size = xmlSecBufferGetSize(buffer);
    unsigned char *copy = xmlMalloc(size + 1);
    if (copy == NULL) goto done;
    memcpy(copy, xmlSecBufferGetData(buffer), size);
    copy[size] = 0;
    *pre_digest = copy;
    *pre_digest_len = size;
    result = VARCO_VERIFY_OK;
done:
    ctx->signKey = NULL;
    xmlSecDSigCtxDestroy(ctx);
    return result;
}

int varco_dsig_sign(xmlDocPtr doc, xmlNodePtr element, xmlNodePtr after, const char *id, xmlSecKeyPtr key) {
    xmlAttrPtr idAttr = xmlHasProp(element, BAD_CAST "ID");
    if (idAttr == NULL) return -1;
    xmlAddID(NULL, doc, BAD_CAST id, idAttr); // may already be registered; harmless
    xmlNodePtr sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, NULL);
    if (sig == NULL) return -1;
    if (after != NULL) {
        xmlAddNextSibling(after, sig);
    } else if (element->children != NULL) {
        xmlAddPrevSibling(element->children, sig);
    } else {
        xmlAddChild(element, sig);
    }
    char uri[256];
    if (snprintf(uri, sizeof uri, "#%s", id) >= (int)sizeof uri) return -1;
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, BAD_CAST uri, NULL);
    if (ref == NULL) return -1;
    if (xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL) return -1;
    xmlNodePtr c14n = xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId);
    if (c14n == NULL) return -1;
    xmlNodePtr keyInfo = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    if (keyInfo == NULL) return -1;
    xmlNodePtr x509 = xmlSecTmplKeyInfoAddX509Data(keyInfo);
    if (x509 == NULL || xmlSecTmplX509DataAddCertificate(x509) == NULL) return -1;
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) return -1;
    ctx->signKey = key; // lent
    int rc = xmlSecDSigCtxSign(ctx, sig);
    ctx->signKey = NULL;
    xmlSecDSigCtxDestroy(ctx);
    return rc < 0 ? -1 : 0;
}

#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <openssl/rand.h>

static char *varco_bio_string(BIO *bio) {
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    if (length <= 0) return NULL;
    char *copy = xmlMalloc((size_t)length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, data, (size_t)length);
    copy[length] = 0;
    return copy;
}

/// What every certificate Varco makes starts with: a random positive 128-bit serial, version 3, validity from
/// five minutes ago for `days`, and the public key.
static int varco_certificate_begin(X509 *cert, EVP_PKEY *pkey, int days) {
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) return -1;
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (bn == NULL) return -1;
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_set_version(cert, 2);
    X509_gmtime_adj(X509_getm_notBefore(cert), -300);
    X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400L);
    X509_set_pubkey(cert, pkey);
    return 0;
}

/// Signs the certificate (SHA-256) and returns the key and the certificate as PEM strings.
static int varco_certificate_finish(X509 *cert, EVP_PKEY *pkey, BIO *keyBio, BIO *certBio, char **key_pem, char **cert_pem) {
    if (X509_sign(cert, pkey, EVP_sha256()) <= 0) return -1;
    if (PEM_write_bio_PrivateKey(keyBio, pkey, NULL, NULL, 0, NULL, NULL) != 1) return -1;
    if (PEM_write_bio_X509(certBio, cert) != 1) return -1;
    *key_pem = varco_bio_string(keyBio);
    *cert_pem = varco_bio_string(certBio);
    return (*key_pem != NULL && *cert_pem != NULL) ? 0 : -1;
}

int varco_generate_self_signed(int bits, const char *common_name, int days, char **key_pem, char **cert_pem) {
    *key_pem = NULL;
    *cert_pem = NULL;
    int result = -1;
    EVP_PKEY *pkey = EVP_RSA_gen((unsigned int)bits);
    X509 *cert = X509_new();
    BIO *keyBio = BIO_new(BIO_s_mem());
    BIO *certBio = BIO_new(BIO_s_mem());
    if (pkey == NULL || cert == NULL || keyBio == NULL || certBio == NULL) goto done;
    if (varco_certificate_begin(cert, pkey, days) != 0) goto done;
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    char san[300];
    snprintf(san, sizeof san, "DNS:%s,DNS:localhost,IP:127.0.0.1", common_name);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
    if (ext == NULL) {
        snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1");
        ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
    }
    if (ext != NULL) { X509_add_ext(cert, ext, -1); X509_EXTENSION_free(ext); }
    result = varco_certificate_finish(cert, pkey, keyBio, certBio, key_pem, cert_pem);
done:
    if (pkey) EVP_PKEY_free(pkey);
    if (cert) X509_free(cert);
    if (keyBio) BIO_free(keyBio);
    if (certBio) BIO_free(certBio);
    return result;
}

int varco_generate_certificate(int bits, int days, const char *const *subject, int count,
                               const char *const *extensions, int ext_count, char **key_pem, char **cert_pem) {
    *key_pem = NULL;
    *cert_pem = NULL;
    int result = -1;
    CONF *conf = NULL;
    EVP_PKEY *pkey = EVP_RSA_gen((unsigned int)bits);
    X509 *cert = X509_new();
    BIO *keyBio = BIO_new(BIO_s_mem());
    BIO *certBio = BIO_new(BIO_s_mem());
    if (pkey == NULL || cert == NULL || keyBio == NULL || certBio == NULL) goto done;
    if (varco_certificate_begin(cert, pkey, days) != 0) goto done;
    X509_NAME *name = X509_get_subject_name(cert);
    for (int i = 0; i < count; i++) {
        if (X509_NAME_add_entry_by_txt(name, subject[2 * i], MBSTRING_UTF8,
                                       (const unsigned char *)subject[2 * i + 1], -1, -1, 0) != 1) goto done;
    }
    X509_set_issuer_name(cert, name);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    // certificatePolicies needs a configuration database, even an empty one.
    conf = NCONF_new(NULL);
    if (conf == NULL) goto done;
    X509V3_set_nconf(&v3, conf);
    for (int i = 0; i < ext_count; i++) {
        X509_EXTENSION *ext = X509V3_EXT_nconf(conf, &v3, extensions[2 * i], extensions[2 * i + 1]);
        if (ext == NULL) goto done;
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    result = varco_certificate_finish(cert, pkey, keyBio, certBio, key_pem, cert_pem);
done:
    if (conf) NCONF_free(conf);
    if (pkey) EVP_PKEY_free(pkey);
    if (cert) X509_free(cert);
    if (keyBio) BIO_free(keyBio);
    if (certBio) BIO_free(certBio);
    return result;
}

long varco_inflate_raw(const unsigned char *data, size_t length, unsigned char *out, size_t capacity) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, -15) != Z_OK) return -1;
    stream.next_in = (Bytef *)data;
    stream.avail_in = (uInt)length;
    stream.next_out = out;
    stream.avail_out = (uInt)capacity;
    int rc = inflate(&stream, Z_FINISH);
    long produced = (long)stream.total_out;
    inflateEnd(&stream);
    if (rc == Z_STREAM_END) return produced;
    if (rc == Z_BUF_ERROR && stream.avail_out == 0) return -2; // the bomb stops here
    return -1;
}

long varco_deflate_raw(const unsigned char *data, size_t length, unsigned char *out, size_t capacity) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    stream.next_in = (Bytef *)data;
    stream.avail_in = (uInt)length;
    stream.next_out = out;
    stream.avail_out = (uInt)capacity;
    int rc = deflate(&stream, Z_FINISH);
    long produced = (long)stream.total_out;
    deflateEnd(&stream);
    return rc == Z_STREAM_END ? produced : -1;
}
