/// The one shape of `xenc:EncryptedData` Varco decrypts (XML Encryption 1.1 §3.4, §3.5.1), checked before any
/// cryptography runs. Everything else is refused, not ignored.
enum EncryptedDataShape {
    private static let xenc = XMLEncryption.namespace
    private static let ds = EnvelopedSignature.namespace

    /// Returns the single `xenc:EncryptedKey` that carries the content key.
    static func check(_ data: XMLNode) throws(XMLError) -> XMLNode {
        guard data.isElement("EncryptedData", namespace: xenc) else { throw refused("not an xenc:EncryptedData") }
        if let type = data.attribute("Type"), type != XMLEncryption.elementType { throw refused("Type is not Element") }
        // EncryptedData = EncryptionMethod, ds:KeyInfo, CipherData; no EncryptionProperties.
        let children = data.children
        guard children.count == 3,
              children[0].isElement("EncryptionMethod", namespace: xenc),
              children[1].isElement("KeyInfo", namespace: ds),
              children[2].isElement("CipherData", namespace: xenc) else {
            throw refused("EncryptedData must hold EncryptionMethod, KeyInfo and CipherData only")
        }
        guard let content = children[0].attribute("Algorithm"), XMLEncryption.ContentAlgorithm(rawValue: content) != nil,
              children[0].children.isEmpty else {
            throw refused("content encryption other than AES-GCM")
        }
        try cipherValueOnly(children[2])
        // KeyInfo = exactly one EncryptedKey: no RetrievalMethod, no key names to look up, nothing else.
        let keyInfo = children[1].children
        guard keyInfo.count == 1, keyInfo[0].isElement("EncryptedKey", namespace: xenc) else {
            throw refused("KeyInfo must hold exactly one EncryptedKey")
        }
        try checkEncryptedKey(keyInfo[0])
        return keyInfo[0]
    }

    /// EncryptedKey = EncryptionMethod (RSA-OAEP, SHA-1 digest), an optional ds:KeyInfo naming the recipient's
    /// certificate (never read), CipherData.
    private static func checkEncryptedKey(_ key: XMLNode) throws(XMLError) {
        let children = key.children
        guard children.count == 2 || children.count == 3, children[0].isElement("EncryptionMethod", namespace: xenc),
              let cipherData = children.last, cipherData.isElement("CipherData", namespace: xenc) else {
            throw refused("EncryptedKey must hold EncryptionMethod, an optional KeyInfo and CipherData only")
        }
        let method = children[0]
        guard method.attribute("Algorithm") == XMLEncryption.keyTransport else { throw refused("key transport other than RSA-OAEP") }
        let parameters = method.children
        guard parameters.isEmpty || (parameters.count == 1 && parameters[0].isElement("DigestMethod", namespace: ds)
                                     && parameters[0].attribute("Algorithm") == XMLEncryption.oaepDigest) else {
            throw refused("RSA-OAEP parameters other than the SHA-1 digest")
        }
        if children.count == 3 {
            guard children[1].isElement("KeyInfo", namespace: ds),
                  children[1].children.allSatisfy({ $0.isElement("X509Data", namespace: ds) || $0.isElement("KeyName", namespace: ds) }) else {
                throw refused("the EncryptedKey's KeyInfo may only name a certificate")
            }
        }
        try cipherValueOnly(cipherData)
    }

    /// CipherData = one CipherValue (XML Encryption 1.1 §3.3): never a CipherReference to fetch.
    private static func cipherValueOnly(_ cipherData: XMLNode) throws(XMLError) {
        let children = cipherData.children
        guard children.count == 1, children[0].isElement("CipherValue", namespace: xenc) else {
            throw refused("CipherData must hold one CipherValue (no CipherReference)")
        }
    }

    private static func refused(_ why: String) -> XMLError { .decryptionFailed("refused: \(why)") }
}
