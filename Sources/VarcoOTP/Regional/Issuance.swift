import Foundation
import VarcoCore

/// What the counter operator enters to issue a regional OTP credential.
public struct IssuanceRequest: Sendable, Codable, Equatable {
    public var codiceFiscale: String
    /// The 20-digit identification number on the back of the health card (TS-CNS); the ID is its last 10 digits.
    public var cardNumber: String
    public var mobile: String
    /// `YYYY-MM-DD`.
    public var birthDate: String
    public var givenName: String?
    public var familyName: String?
    public var minor: Bool
    public var representativeCF: String?
    public var ward: Bool
    public var decree: String?
    /// Day an online request was received (`YYYY-MM-DD`): requests received before the cut-off are honoured.
    public var requestReceived: String?

    public init(codiceFiscale: String, cardNumber: String, mobile: String, birthDate: String, givenName: String? = nil,
                familyName: String? = nil, minor: Bool = false, representativeCF: String? = nil, ward: Bool = false,
                decree: String? = nil, requestReceived: String? = nil) {
        self.codiceFiscale = codiceFiscale
        self.cardNumber = cardNumber
        self.mobile = mobile
        self.birthDate = birthDate
        self.givenName = givenName
        self.familyName = familyName
        self.minor = minor
        self.representativeCF = representativeCF
        self.ward = ward
        self.decree = decree
        self.requestReceived = requestReceived
    }
}

/// What the operator gets back: the ID and the first 5 characters of the temporary password for the paper form.
public struct IssuanceResult: Sendable, Codable, Equatable {
    public let id: String
    public let paperHalf: String
    /// Whether the SMS with the other half went out; if not, the operator issues a new temporary password later.
    public let smsSent: Bool
}

/// Refused issuance: every problem found, each a clear Italian sentence for the operator.
public struct IssuanceRefused: Error, Equatable, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}

extension RegionalOTP {
    /// Checks the request; returns every problem in Italian (empty: acceptable).
    public func validate(_ request: IssuanceRequest) -> [String] {
        var problems: [String] = []
        let now = clock.now()
        let today = OTPPolicy.day(now)
        let cf = request.codiceFiscale.uppercased().filter { !$0.isWhitespace }
        if (try? CodiceFiscale(cf)) == nil {
            problems.append("il codice fiscale \(cf) non è valido: controlla i 16 caratteri e il carattere di controllo finale")
        }
        let card = request.cardNumber.filter { !$0.isWhitespace }
        if card.utf8.count != 20 || !card.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            problems.append("il numero di identificazione della tessera deve avere 20 cifre (campo 8 sul retro della TS-CNS)")
        }
        let mobile = Self.normalizedMobile(request.mobile)
        if !Self.isItalianMobile(mobile) {
            problems.append("il numero di cellulare \(request.mobile) non è valido: serve un cellulare italiano, ad esempio +393331234567")
        }
        if !OTPPolicy.isDay(request.birthDate) || request.birthDate > today {
            problems.append("la data di nascita deve essere nel formato AAAA-MM-GG e non nel futuro")
        } else {
            let isMinor = OTPPolicy.isMinor(birthDate: request.birthDate, today: today)
            if request.minor && !isMinor { problems.append("la data di nascita indica una persona maggiorenne, ma è indicato «minore»") }
            if !request.minor && isMinor { problems.append("la persona è minorenne: indica «minore» e il codice fiscale del rappresentante legale") }
        }
        if request.minor && request.ward { problems.append("indica «minore» oppure «sotto tutela», non entrambi") }
        if request.minor || request.ward {
            let representative = (request.representativeCF ?? "").uppercased().filter { !$0.isWhitespace }
            if (try? CodiceFiscale(representative)) == nil {
                problems.append(request.minor
                    ? "per un minore serve il codice fiscale valido del rappresentante legale"
                    : "per una persona sotto tutela serve il codice fiscale valido del tutore")
            } else if representative == cf {
                problems.append("il rappresentante legale deve essere una persona diversa dal titolare")
            }
        }
        if request.ward && (request.decree ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append("per una persona sotto tutela serve il riferimento del decreto di nomina del tutore")
        }
        if let received = request.requestReceived, !OTPPolicy.isDay(received) || received > today {
            problems.append("la data di ricezione della richiesta deve essere nel formato AAAA-MM-GG e non nel futuro")
        }
        let holder: OTPHolderCategory = request.ward ? .ward : (request.minor ? .minor : .adult)
        if let refusal = policy.issuanceRefusal(holder: holder, now: now, requestReceived: request.requestReceived) {
            problems.append(refusal)
        }
        return problems
    }

    /// Issues a credential at the counter: validates, stores it with a fresh 10-character temporary password
    /// (status `pendingFirstAccess`), sends the last 5 characters by SMS and returns the first 5.
    public func issue(_ request: IssuanceRequest, by operatorName: String, client: String? = nil) async throws -> IssuanceResult {
        var problems = validate(request)
        let cfText = request.codiceFiscale.uppercased().filter { !$0.isWhitespace }
        let card = request.cardNumber.filter { !$0.isWhitespace }
        let id = String(card.suffix(10))
        if problems.isEmpty, try await credentials.find(id: id) != nil {
            problems.append("esistono già credenziali OTP con ID \(id): per una nuova password usa il recupero password o il reset")
        }
        var citizen: Citizen?
        if problems.isEmpty, let cf = try? CodiceFiscale(cfText) {
            citizen = try await citizens.find(cf)
            if citizen == nil && ((request.givenName ?? "").isEmpty || (request.familyName ?? "").isEmpty) {
                problems.append("il cittadino non è ancora registrato: indica nome e cognome")
            }
        }
        guard problems.isEmpty, let cf = try? CodiceFiscale(cfText) else {
            await record(.otpIssuanceRefused, subject: cfText, detail: "by \(operatorName): \(problems.joined(separator: "; "))", client: client)
            throw IssuanceRefused(problems: problems)
        }
        let mobile = Self.normalizedMobile(request.mobile)
        var person = citizen ?? Citizen(codiceFiscale: cf, givenName: request.givenName ?? "", familyName: request.familyName ?? "",
                                        dateOfBirth: request.birthDate, placeOfBirth: String(Array(cfText)[11..<15]))
        person.mobilePhone = mobile

        let temporary = Self.temporaryPassword(random)
        var credential = OTPCredential(id: id, citizen: cf, passwordHash: try hasher.hash(temporary), status: .pendingFirstAccess,
                                       created: clock.now())
        credential.mobilePhone = mobile
        credential.cardNumber = card
        credential.birthDate = request.birthDate
        credential.holder = request.ward ? .ward : (request.minor ? .minor : .adult)
        credential.representative = (request.minor || request.ward) ? request.representativeCF?.uppercased() : nil
        credential.decree = request.ward ? request.decree : nil
        credential.issuedBy = operatorName
        // Citizen and credential in one store transaction: if storing fails, nothing is left behind.
        do { try await credentials.insert(credential, savingHolder: person, in: citizens) } catch StoreError.duplicate {
            throw IssuanceRefused(problems: ["esistono già credenziali OTP con ID \(id)"])
        }
        await record(.credentialIssued, subject: cf.value,
                     detail: "otp-sms credential \(id) (\(credential.holder!.rawValue)) issued by operator \(operatorName)", client: client)
        var sent = true
        do {
            try await deliver(to: mobile, text: SMSTexts.issuedSecondHalf(String(temporary.suffix(5)), id: id), subject: cf.value,
                              client: client)
        } catch {
            sent = false
        }
        return IssuanceResult(id: id, paperHalf: String(temporary.prefix(5)), smsSent: sent)
    }

    /// An Italian mobile number in E.164: `+393` followed by 8 or 9 digits.
    public static func isItalianMobile(_ number: String) -> Bool {
        guard number.hasPrefix("+393") else { return false }
        let rest = number.dropFirst(3)
        return (9...10).contains(rest.count) && rest.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
