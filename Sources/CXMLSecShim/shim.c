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
