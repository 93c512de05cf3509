import Foundation
import Testing
import VarcoCore

@Suite("Codice fiscale")
struct CodiceFiscaleTests {
    @Test("valid", arguments: ["RSSMRA80A01H501U", "MSRNTN77H15C351X", "RCCMNL83S18D969H", "BNCLRA70M41F205V"])
    func valid(_ text: String) throws {
        let codiceFiscale = try CodiceFiscale(text)
        #expect(codiceFiscale.value == text)
        #expect(codiceFiscale.description == text)
    }

    @Test func lowercaseAndSpacesAreNormalised() throws {
        #expect(try CodiceFiscale("rssmra80a01h501u").value == "RSSMRA80A01H501U")
        #expect(try CodiceFiscale(" RSSMRA80A01H501U ").value == "RSSMRA80A01H501U")
        #expect(try CodiceFiscale("rssmra80a01h501u") == CodiceFiscale("RSSMRA80A01H501U"))
    }

    @Test func wrongCheckCharacter() throws {
        #expect(throws: CodiceFiscale.Invalid.checkCharacter) { try CodiceFiscale("RSSMRA85D18F051Y") }
        #expect(try CodiceFiscale("RSSMRA85D18F051Q").value == "RSSMRA85D18F051Q")
        #expect(throws: CodiceFiscale.Invalid.checkCharacter) { try CodiceFiscale("RSSMRA80A01H501V") }
    }

    @Test("wrong length", arguments: ["", "RSSMRA80A01H501", "RSSMRA80A01H501UU", "RSSMRA80A01H501È"])
    func wrongLength(_ text: String) {
        #expect(throws: CodiceFiscale.Invalid.length) { try CodiceFiscale(text) }
    }

    @Test func badMonthLetter() {
        // F, G, I, ... are not month letters (A B C D E H L M P R S T are).
        for month in ["F", "G", "I", "Z"] {
            let text = Self.withCheckCharacter("RSSMRA80\(month)01H501")
            #expect(throws: CodiceFiscale.Invalid.format) { try CodiceFiscale(text) }
        }
    }

    @Test("digits where letters belong", arguments: ["R5SMRA80A01H501", "RSSMR480A01H501", "RSSMRA80101H501",
                                                     "RSSMRA80A011501"])
    func digitsWhereLettersBelong(_ first15: String) {
        #expect(throws: CodiceFiscale.Invalid.format) { try CodiceFiscale(Self.withCheckCharacter(first15)) }
    }

    @Test func lettersWhereDigitsBelong() {
        // "A" is not an omocodia letter.
        #expect(throws: CodiceFiscale.Invalid.format) { try CodiceFiscale(Self.withCheckCharacter("RSSMRAA0A01H501")) }
    }

    @Test func omocodicVariantIsAccepted() throws {
        // Last digit of the Belfiore code H501 -> its omocodia letter: 1 -> M.
        let omocodic = Self.withCheckCharacter("RSSMRA80A01H50M")
        #expect(omocodic != "RSSMRA80A01H50MU")  // a different check character
        #expect(try CodiceFiscale(omocodic).value == omocodic)
        // Every digit replaced at once is still valid.
        let fully = Self.withCheckCharacter("RSSMRAULALMHRLM")
        #expect(try CodiceFiscale(fully).value == fully)
        // But the original check character no longer fits.
        #expect(throws: CodiceFiscale.Invalid.checkCharacter) { try CodiceFiscale("RSSMRA80A01H50MU") }
    }

    @Test func codableAsString() throws {
        let codiceFiscale = try CodiceFiscale("RSSMRA80A01H501U")
        let data = try JSONEncoder().encode([codiceFiscale])
        #expect(String(decoding: data, as: UTF8.self) == #"["RSSMRA80A01H501U"]"#)
        #expect(try JSONDecoder().decode([CodiceFiscale].self, from: data) == [codiceFiscale])
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode([CodiceFiscale].self, from: Data(#"["RSSMRA85D18F051Y"]"#.utf8))
        }
    }

    /// Appends the check character, computed independently of the type under test
    /// (odd positions through the conversion table, even positions by value, sum mod 26).
    static func withCheckCharacter(_ first15: String) -> String {
        let odd: [Character: Int] = [
            "0": 1, "1": 0, "2": 5, "3": 7, "4": 9, "5": 13, "6": 15, "7": 17, "8": 19, "9": 21,
            "A": 1, "B": 0, "C": 5, "D": 7, "E": 9, "F": 13, "G": 15, "H": 17, "I": 19, "J": 21,
            "K": 2, "L": 4, "M": 18, "N": 20, "O": 11, "P": 3, "Q": 6, "R": 8, "S": 12, "T": 14,
            "U": 16, "V": 10, "W": 22, "X": 25, "Y": 24, "Z": 23,
        ]
        var sum = 0
        for (index, character) in first15.enumerated() {
            let value: Int
            if let digit = character.wholeNumberValue, character.isASCII {
                value = index % 2 == 0 ? odd[character] ?? 0 : digit
            } else {
                let ordinal = Int(character.asciiValue ?? 65) - 65
                value = index % 2 == 0 ? odd[character] ?? 0 : ordinal
            }
            sum += value
        }
        return first15 + String(UnicodeScalar(UInt8(65 + sum % 26)))
    }
}
