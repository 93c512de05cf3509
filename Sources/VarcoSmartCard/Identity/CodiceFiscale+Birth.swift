import Foundation
import VarcoCore

/// What a personal codice fiscale says about its holder, to create a citizen record on a first card login.
/// Omocodia letters are decoded first (`LMNPQRSTUV` = 0-9).
extension CodiceFiscale {
    static let omocodiaDigits: [Character: Character] = Dictionary(uniqueKeysWithValues: zip("LMNPQRSTUV", "0123456789"))
    static let monthLetters = Array("ABCDEHLMPRST")

    /// The code with omocodia letters in the numeric positions turned back into digits.
    var decoded: [Character] {
        var characters = Array(value)
        for index in [6, 7, 9, 10, 12, 13, 14] {
            if let digit = Self.omocodiaDigits[characters[index]] { characters[index] = digit }
        }
        return characters
    }

    /// `YYYY-MM-DD`; the century is the latest one that does not put the birth after `now`.
    public func dateOfBirth(now: Date) -> String {
        let characters = decoded
        let yy = Int(String(characters[6...7]))!
        let month = (Self.monthLetters.firstIndex(of: characters[8]) ?? 0) + 1
        let day = Int(String(characters[9...10]))! % 40
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let currentYear = calendar.component(.year, from: now)
        var year = currentYear - currentYear % 100 + yy
        if year > currentYear { year -= 100 }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// `F` when the day carries the +40 of women, else `M`.
    public var gender: String {
        let characters = decoded
        return Int(String(characters[9...10]))! > 40 ? "F" : "M"
    }

    /// Belfiore code of the place of birth (letter + 3 digits).
    public var placeOfBirth: String { String(decoded[11...14]) }
}
