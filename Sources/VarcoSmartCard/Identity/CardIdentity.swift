import VarcoCore
import X509

/// Subject canonicalisation: from a validated card certificate to the card holder. A step of its own, after
/// chain, profile and revocation checks.
public enum CardIdentity {
    public static func holder(of card: ValidatedCard) throws(CardRefusal) -> CardHolder {
        switch card.family {
        case .cns: try CNSSubject.holder(SubjectName(name: card.leaf.subject))
        case .cie: try CIESubject.holder(SubjectName(name: card.leaf.subject))
        }
    }

    static func codiceFiscale(_ text: String) throws(CardRefusal) -> CodiceFiscale {
        do { return try CodiceFiscale(text) } catch {
            throw CardRefusal(.invalidCodiceFiscale, "codice fiscale \(text) fails its check (\(error))")
        }
    }
}

/// CNS (AgID profile): CN = `<codice fiscale>/<16-digit ID_Carta>.<hash>`, where the hash is base64 and may itself
/// contain `/`, `+` and `=`: split on the first `/`, then on the first `.` after it. GN and SN carry the names.
enum CNSSubject {
    static func holder(_ subject: SubjectName) throws(CardRefusal) -> CardHolder {
        let names = subject.commonNames
        guard names.count == 1, let commonName = names[0] else {
            throw CardRefusal(.malformedSubject, "the subject must have exactly one string CN")
        }
        guard let slash = commonName.firstIndex(of: "/") else {
            throw CardRefusal(.malformedSubject, "CN \(commonName) has no '/' between codice fiscale and card id")
        }
        let fiscal = String(commonName[..<slash])
        let rest = commonName[commonName.index(after: slash)...]
        guard let dot = rest.firstIndex(of: ".") else {
            throw CardRefusal(.malformedSubject, "CN \(commonName) has no '.' between card id and hash")
        }
        let cardID = String(rest[..<dot])
        let hash = rest[rest.index(after: dot)...]
        guard fiscal.count == 16, fiscal.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw CardRefusal(.malformedSubject, "CN \(commonName) does not start with a 16-character codice fiscale")
        }
        guard cardID.count == 16, cardID.allSatisfy({ $0.isASCII && $0.isNumber }), !hash.isEmpty else {
            throw CardRefusal(.malformedSubject, "CN \(commonName) has no 16-digit card id followed by a hash")
        }
        let codiceFiscale = try CardIdentity.codiceFiscale(fiscal)
        guard Luhn.isValid(cardID) else { throw CardRefusal(.invalidCardID, "card id \(cardID) fails its Luhn check") }
        return CardHolder(codiceFiscale: codiceFiscale, givenName: subject.givenName, familyName: subject.surname, cardID: cardID)
    }
}

/// CIE: the CN starts with the holder's 16-character codice fiscale (what the reference templates read); what
/// follows is not relied upon. givenName (2.5.4.42) and surname (2.5.4.4) carry the names.
enum CIESubject {
    static func holder(_ subject: SubjectName) throws(CardRefusal) -> CardHolder {
        let names = subject.commonNames
        guard names.count == 1, let commonName = names[0], commonName.count >= 16 else {
            throw CardRefusal(.malformedSubject, "the subject must have exactly one CN of at least 16 characters")
        }
        let fiscal = String(commonName.prefix(16))
        if let next = commonName.dropFirst(16).first, next.isLetter || next.isNumber {
            throw CardRefusal(.malformedSubject, "CN \(commonName) does not start with a 16-character codice fiscale")
        }
        guard fiscal.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw CardRefusal(.malformedSubject, "CN \(commonName) does not start with a codice fiscale")
        }
        let codiceFiscale = try CardIdentity.codiceFiscale(fiscal)
        return CardHolder(codiceFiscale: codiceFiscale, givenName: subject.givenName, familyName: subject.surname, cardID: nil)
    }
}
