import VarcoCore

/// Who a card belongs to, as read from its authentication certificate.
public struct CardHolder: Sendable, Equatable {
    public let codiceFiscale: CodiceFiscale
    public let givenName: String?
    public let familyName: String?
    /// CNS: the 16-digit ID_Carta; CIE: nil (the certificate does not carry a card number in a known place).
    public let cardID: String?

    public init(codiceFiscale: CodiceFiscale, givenName: String?, familyName: String?, cardID: String?) {
        self.codiceFiscale = codiceFiscale
        self.givenName = givenName
        self.familyName = familyName
        self.cardID = cardID
    }
}
