import CXMLSec
import CXMLSecShim

/// XML Encryption 1.1 of one element, as SAML encrypts assertions (SAML core §6.1): the element's content
/// is encrypted with a fresh AES-256-GCM key, and that key travels in an `xenc:EncryptedKey` inside the
/// `xenc:EncryptedData`'s `ds:KeyInfo`, encrypted by RSA-OAEP to the recipient's certificate.
public enum XMLEncryption {
    public static let namespace = "http://www.w3.org/2001/04/xmlenc#"
    /// Type="…#Element": the plaintext is one whole element (XML Encryption 1.1 §3.1).
    public static let elementType = "http://www.w3.org/2001/04/xmlenc#Element"

    /// Content encryption accepted on decryption; Varco encrypts with `aes256GCM`. CBC modes are refused:
    /// without integrity they are open to padding-oracle attacks (XML Encryption 1.1 §5.2, security note).
    public enum ContentAlgorithm: String, Sendable, CaseIterable {
        case aes256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
        case aes128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
    }

    /// Key transport, the only one accepted: RSA-OAEP with MGF1 (XML Encryption 1.1 §5.5.2). RSA PKCS#1 v1.5
    /// (`rsa-1_5`) is refused (Bleichenbacher).
    public static let keyTransport = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
    /// The OAEP digest, SHA-1: the default of `rsa-oaep-mgf1p` and the one every SP stack decrypts.
    public static let oaepDigest = "http://www.w3.org/2000/09/xmldsig#sha1"

    /// Encrypts `element` to `recipient`, replacing it in its document by the `xenc:EncryptedData`, which is
    /// returned. `element` is gone afterwards: do not use it. On failure the document must be discarded.
    public static func encrypt(_ element: XMLNode, to recipient: XMLEncryptionCertificate) throws(XMLError) -> XMLNode {
        var encrypted: xmlNodePtr?
        let status = varco_xmlenc_encrypt(element.pointer, recipient.handle.pointer, &encrypted)
        guard status == Int32(VARCO_ENC_OK), let encrypted else { throw .encryptionFailed("xmlsec could not encrypt") }
        return XMLNode(document: element.document, pointer: encrypted)
    }

    /// Decrypts an `xenc:EncryptedData` of the shape `encrypt` produces, with `key` only. Returns the plaintext
    /// element as a new document of its own (the element must declare the namespaces it uses, as `encrypt`
    /// ensures). Anything outside the allow-list is refused before any decryption: other algorithms,
    /// CipherReference, RetrievalMethod, more than one EncryptedKey, unknown children.
    public static func decrypt(_ encryptedData: XMLNode, with key: XMLDecryptionKey,
                               limit: Int = XMLDocument.defaultLimit) throws(XMLError) -> XMLDocument {
        let encryptedKey = try EncryptedDataShape.check(encryptedData)
        var plaintext: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = varco_xmlenc_decrypt(encryptedData.pointer, encryptedKey.pointer, key.handle.pointer, limit,
                                          &plaintext, &length)
        switch Int(status) {
        case Int(VARCO_ENC_OK):
            guard let plaintext else { throw .decryptionFailed("no plaintext") }
            let bytes = Array(UnsafeBufferPointer(start: plaintext, count: length))
            varco_xml_free(plaintext)
            return try XMLDocument(bytes: bytes, limit: limit)
        case Int(VARCO_ENC_TOO_LARGE):
            throw .tooLarge(limit: limit)
        case Int(VARCO_ENC_FAILED):
            throw .decryptionFailed("wrong key, altered ciphertext or refused algorithm")
        default:
            throw .decryptionFailed("the decryption could not run")
        }
    }
}
