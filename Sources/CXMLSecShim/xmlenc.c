#include "VarcoEncryption.h"
#include <string.h>
#include <openssl/crypto.h>

/// Declares on `element` every namespace it inherits and does not declare itself, so that the serialised element
/// (what gets encrypted) is a document of its own: prefixes in QName values (xsi:type) included.
static int varco_declare_inherited_namespaces(xmlNodePtr element) {
    xmlNsPtr *inScope = xmlGetNsList(element->doc, element);
    if (inScope == NULL) return 0;
    int rc = 0;
    for (xmlNsPtr *ns = inScope; *ns != NULL; ns++) {
        if ((*ns)->prefix != NULL && xmlStrEqual((*ns)->prefix, BAD_CAST "xml")) continue;
        int declared = 0;
        for (xmlNsPtr own = element->nsDef; own != NULL; own = own->next) {
            if (xmlStrEqual(own->prefix, (*ns)->prefix)) { declared = 1; break; }
        }
        if (!declared && xmlNewNs(element, (*ns)->href, (*ns)->prefix) == NULL) { rc = -1; break; }
    }
    xmlFree(inScope);
    return rc;
}

/// Adds `<ds:DigestMethod Algorithm="...#sha1"/>` to the RSA-OAEP EncryptionMethod (XML Encryption 1.1 §5.5.2):
/// SHA-1 is the OAEP default every SP stack decrypts, and the only digest xmlsec 1.2 offers there.
static int varco_add_oaep_digest(xmlNodePtr encryptedKey) {
    xmlNodePtr method = xmlSecFindChild(encryptedKey, xmlSecNodeEncryptionMethod, xmlSecEncNs);
    if (method == NULL) return -1;
    xmlNodePtr digest = xmlSecAddChild(method, xmlSecNodeDigestMethod, xmlSecDSigNs);
    if (digest == NULL) return -1;
    return xmlSetProp(digest, xmlSecAttrAlgorithm, xmlSecHrefSha1) == NULL ? -1 : 0;
}

/// Only these algorithms may run in `ctx`, and nothing may be fetched from a URI (no CipherReference).
static int varco_allow_only(xmlSecEncCtxPtr ctx, const xmlSecTransformId *allowed, int count) {
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
    for (int i = 0; i < count; i++) {
        if (xmlSecPtrListAdd(&(ctx->transformCtx.enabledTransforms), (xmlSecPtr)allowed[i]) < 0) return -1;
    }
    return 0;
}

int varco_xmlenc_encrypt(xmlNodePtr element, xmlSecKeyPtr recipient, xmlNodePtr *encrypted_data) {
    *encrypted_data = NULL;
    if (element == NULL || element->doc == NULL || recipient == NULL) return VARCO_ENC_ERROR;
    int result = VARCO_ENC_ERROR;
    int inserted = 0;
    unsigned char sessionBytes[32];
    xmlSecEncCtxPtr dataCtx = NULL, keyCtx = NULL;
    xmlSecKeyPtr sessionKey = NULL;
    xmlNodePtr data = NULL;

    if (varco_declare_inherited_namespaces(element) != 0) goto done;
    // XML Encryption 1.1 §5.2.4: AES-GCM, a fresh 96-bit IV per message, the 128-bit tag after the ciphertext.
    data = xmlSecTmplEncDataCreate(element->doc, xmlSecTransformAes256GcmId, NULL, xmlSecTypeEncElement, NULL, NULL);
    if (data == NULL || xmlSecTmplEncDataEnsureCipherValue(data) == NULL) goto done;
    sessionKey = xmlSecKeyGenerate(xmlSecKeyDataAesId, 256, xmlSecKeyDataTypeSession);
    if (sessionKey == NULL) goto done;
    xmlSecBufferPtr raw = xmlSecKeyDataBinaryValueGetBuffer(xmlSecKeyGetValue(sessionKey));
    if (raw == NULL || xmlSecBufferGetSize(raw) != sizeof sessionBytes) goto done;
    memcpy(sessionBytes, xmlSecBufferGetData(raw), sizeof sessionBytes);

    // 1. The element, with the session key (the context owns it from here).
    dataCtx = xmlSecEncCtxCreate(NULL);
    if (dataCtx == NULL) goto done;
    dataCtx->encKey = sessionKey;
    sessionKey = NULL;
    if (xmlSecEncCtxXmlEncrypt(dataCtx, data, element) < 0) goto done;
    inserted = 1; // the element is freed; the EncryptedData stands in its place

    // 2. The session key, to the recipient (XML Encryption 1.1 §3.5.1, §5.5.2): an EncryptedKey in KeyInfo.
    xmlNodePtr keyInfo = xmlSecTmplEncDataEnsureKeyInfo(data, NULL);
    if (keyInfo == NULL) goto done;
    xmlNodePtr encryptedKey = xmlSecTmplKeyInfoAddEncryptedKey(keyInfo, xmlSecTransformRsaOaepId, NULL, NULL, NULL);
    if (encryptedKey == NULL || varco_add_oaep_digest(encryptedKey) != 0) goto done;
    if (xmlSecTmplEncDataEnsureCipherValue(encryptedKey) == NULL) goto done;
    keyCtx = xmlSecEncCtxCreate(NULL);
    if (keyCtx == NULL) goto done;
    keyCtx->mode = xmlEncCtxModeEncryptedKey;
    keyCtx->encKey = xmlSecKeyDuplicate(recipient);
    if (keyCtx->encKey == NULL) goto done;
    if (xmlSecEncCtxBinaryEncrypt(keyCtx, encryptedKey, sessionBytes, sizeof sessionBytes) < 0) goto done;
    *encrypted_data = data;
    result = VARCO_ENC_OK;
done:
    OPENSSL_cleanse(sessionBytes, sizeof sessionBytes);
    if (sessionKey != NULL) xmlSecKeyDestroy(sessionKey);
    if (dataCtx != NULL) xmlSecEncCtxDestroy(dataCtx);
    if (keyCtx != NULL) xmlSecEncCtxDestroy(keyCtx);
    if (data != NULL && !inserted) xmlFreeNode(data);
    // A half-built EncryptedData in the document must never be sent: the caller discards the document.
    return result;
}

int varco_xmlenc_decrypt(xmlNodePtr encrypted_data, xmlNodePtr encrypted_key, xmlSecKeyPtr private_key, size_t limit,
                         unsigned char **plaintext, size_t *plaintext_len) {
    *plaintext = NULL;
    *plaintext_len = 0;
    if (encrypted_data == NULL || encrypted_key == NULL || private_key == NULL) return VARCO_ENC_ERROR;
    int result = VARCO_ENC_FAILED;
    xmlSecEncCtxPtr keyCtx = NULL, dataCtx = NULL;
    xmlSecKeyPtr sessionKey = NULL;

    // 1. The session key: RSA-OAEP with our private key, set explicitly so KeyInfo is never consulted.
    const xmlSecTransformId keyTransport[] = { xmlSecTransformRsaOaepId };
    keyCtx = xmlSecEncCtxCreate(NULL);
    if (keyCtx == NULL || varco_allow_only(keyCtx, keyTransport, 1) != 0) { result = VARCO_ENC_ERROR; goto done; }
    keyCtx->mode = xmlEncCtxModeEncryptedKey;
    keyCtx->encKey = xmlSecKeyDuplicate(private_key);
    if (keyCtx->encKey == NULL) { result = VARCO_ENC_ERROR; goto done; }
    xmlSecBufferPtr keyBytes = xmlSecEncCtxDecryptToBuffer(keyCtx, encrypted_key);
    if (keyBytes == NULL) goto done;
    xmlSecSize keySize = xmlSecBufferGetSize(keyBytes);
    if (keySize != 16 && keySize != 32) goto done;
    sessionKey = xmlSecKeyReadMemory(xmlSecKeyDataAesId, xmlSecBufferGetData(keyBytes), keySize);
    if (sessionKey == NULL) goto done;

    // 2. The data: AES-GCM only (CBC is refused: XML Encryption 1.1 §5.2 and the padding-oracle attacks on it).
    const xmlSecTransformId content[] = { xmlSecTransformAes128GcmId, xmlSecTransformAes256GcmId, xmlSecTransformBase64Id };
    dataCtx = xmlSecEncCtxCreate(NULL);
    if (dataCtx == NULL || varco_allow_only(dataCtx, content, 3) != 0) { result = VARCO_ENC_ERROR; goto done; }
    dataCtx->encKey = sessionKey; // owned by the context from here
    sessionKey = NULL;
    xmlSecBufferPtr clear = xmlSecEncCtxDecryptToBuffer(dataCtx, encrypted_data);
    if (clear == NULL) goto done;
    size_t size = xmlSecBufferGetSize(clear);
    if (size > limit) { result = VARCO_ENC_TOO_LARGE; goto done; }
    unsigned char *copy = xmlMalloc(size + 1);
    if (copy == NULL) { result = VARCO_ENC_ERROR; goto done; }
    memcpy(copy, xmlSecBufferGetData(clear), size);
    copy[size] = 0;
    *plaintext = copy;
    *plaintext_len = size;
    result = VARCO_ENC_OK;
done:
    if (sessionKey != NULL) xmlSecKeyDestroy(sessionKey);
    if (keyCtx != NULL) xmlSecEncCtxDestroy(keyCtx);
    if (dataCtx != NULL) xmlSecEncCtxDestroy(dataCtx);
    return result;
}
