import VarcoXML

/// `saml:EncryptedAssertion` (SAML core §2.3.4): one `xenc:EncryptedData` of Type Element holding the signed
/// assertion, its key in an `xenc:EncryptedKey` inside the EncryptedData's KeyInfo (SAML core §6.1).
public enum EncryptedAssertion {
    /// Replaces `assertion`, already signed (SAML core §6.2: sign first, then encrypt), by its encryption to `key`.
    static func seal(_ assertion: XMLNode, to key: XMLEncryptionCertificate) throws(XMLError) {
        _ = try assertion.wrap(inElementNamed: "EncryptedAssertion", namespace: SAMLNamespace.assertion)
        _ = try XMLEncryption.encrypt(assertion, to: key)
    }

    /// The assertion inside, as a document of its own. Refuses EncryptedKey elements beside the EncryptedData
    /// (they would need a RetrievalMethod to find) and anything but one saml:Assertion as plaintext.
    public static func open(_ encrypted: XMLNode, with key: XMLDecryptionKey) throws(XMLError) -> XMLDocument {
        let children = encrypted.children
        guard children.count == 1, children[0].isElement("EncryptedData", namespace: XMLEncryption.namespace) else {
            throw .decryptionFailed("refused: EncryptedAssertion must hold one EncryptedData and nothing else")
        }
        let clear = try XMLEncryption.decrypt(children[0], with: key)
        guard clear.root.isElement("Assertion", namespace: SAMLNamespace.assertion) else {
            throw .decryptionFailed("refused: the encrypted element is not a saml:Assertion")
        }
        return clear
    }
}
