import Foundation
import Testing
import VarcoCore
@testable import VarcoSmartCard
import X509

@Suite("Card identity extraction")
struct IdentityExtractionTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI() }

    func holder(_ family: CardFamily, _ commonName: String, given: String? = "MARIO", surname: String? = "ROSSI") throws(CardRefusal) -> CardHolder {
        let issuer = family == .cns ? pki.cns : pki.cieSub
        let card = try! issuer.issue(pki.profile(commonName) { $0.givenName = given; $0.surname = surname }).certificate
        return try CardIdentity.holder(of: ValidatedCard(family: family, chain: [card, issuer.ca]))
    }

    @Test("CNS: CN split on the first '/', the hash may hold '/', '+' and '='")
    func cnsCommonName() throws {
        let holder = try holder(.cns, "MSRNTN77H15C351X/6120016461039008.i1ZpZfaCX/eKyikBfnF8to+M2T8=")
        #expect(holder.codiceFiscale.value == "MSRNTN77H15C351X")
        #expect(holder.cardID == "6120016461039008")
        #expect(holder.givenName == "MARIO" && holder.familyName == "ROSSI")
        let other = try self.holder(.cns, "RSSMRA80A01H501U/7430010024925855.lsKV/lNtBAmc8x5lzSb+cxx2UzE=")
        #expect(other.cardID == "7430010024925855")
    }

    @Test("CNS: omocodia letters are a valid codice fiscale")
    func omocodia() throws {
        var first15 = Array("MSRNTN77H15C35M".utf8)
        let check = CodiceFiscale.checkCharacterForTests(first15)
        first15.append(check)
        let cf = String(decoding: first15, as: UTF8.self)
        let holder = try holder(.cns, "\(cf)/6120016461039008.abc=")
        #expect(holder.codiceFiscale.value == cf)
        #expect(holder.codiceFiscale.dateOfBirth(now: TestPKI.now) == "1977-06-15")
        #expect(holder.codiceFiscale.placeOfBirth == "C351")
    }

    @Test("CNS: malformed CNs are refused as malformed", arguments: [
        "RSSMRA80A01H501U", "RSSMRA80A01H501U/6120016461039008", "RSSMRA80A01H501U/612001646103900.abc",
        "RSSMRA80A01H501U6120016461039008.abc", "RSSMRA80A01H501/6120016461039008.abc", "RSSMRA80A01H501U/6120016461039008.",
    ])
    func malformed(_ commonName: String) {
        #expect(refusal { () throws(CardRefusal) in _ = try holder(.cns, commonName) } == .malformedSubject)
    }

    @Test("CNS: a wrong check character is an invalid codice fiscale")
    func invalidCodiceFiscale() {
        #expect(refusal { () throws(CardRefusal) in _ = try holder(.cns, "RSSMRA85D18F051Y/6120016461039008.abc=") } == .invalidCodiceFiscale)
    }

    @Test("CNS: the card id must pass Luhn")
    func luhn() {
        #expect(Luhn.isValid("6120016461039008"))
        #expect(Luhn.isValid("7430010024925855"))
        #expect(!Luhn.isValid("6120016461039009"))
        #expect(refusal { () throws(CardRefusal) in _ = try holder(.cns, "RSSMRA80A01H501U/6120016461039009.abc=") } == .invalidCardID)
    }

    @Test("CIE: the codice fiscale is the CN's first 16 characters")
    func cie() throws {
        let holder = try holder(.cie, "BNCLRA70M41F205V", given: "LAURA", surname: "BIANCHI")
        #expect(holder.codiceFiscale.value == "BNCLRA70M41F205V")
        #expect(holder.givenName == "LAURA" && holder.familyName == "BIANCHI")
        #expect(holder.codiceFiscale.gender == "F")
        #expect(holder.codiceFiscale.dateOfBirth(now: TestPKI.now) == "1970-08-01")
        #expect(refusal { () throws(CardRefusal) in _ = try self.holder(.cie, "BNCLRA70M41F205VX") } == .malformedSubject)
    }
}

/// The reason of the refusal `body` throws, nil if it throws none.
func refusal(_ body: () throws(CardRefusal) -> Void) -> CardRefusal.Reason? {
    do throws(CardRefusal) {
        try body()
        return nil
    } catch {
        return error.reason
    }
}

extension CodiceFiscale {
    static func checkCharacterForTests(_ first15: [UInt8]) -> UInt8 {
        let odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
        var sum = 0
        for (index, byte) in first15.enumerated() {
            let ordinal = byte <= 57 ? Int(byte - 48) : Int(byte - 65)
            sum += index % 2 == 0 ? odd[ordinal] : ordinal
        }
        return UInt8(65 + sum % 26)
    }
}
