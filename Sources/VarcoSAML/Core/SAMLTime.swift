import Foundation

/// xs:dateTime in UTC as SAML uses it (SAML core §1.3.3): `2026-01-01T10:00:00Z`, fractions accepted.
public enum SAMLTime {
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let (y, m, d) = civil(fromDays: days)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                      Int(secondOfDay / 3600), Int(secondOfDay % 3600 / 60), Int(secondOfDay % 60))
    }

    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, chars[4] == 45, chars[7] == 45, chars[10] == 84, chars[13] == 58, chars[16] == 58,
              let year = number(chars[0..<4]), let month = number(chars[5..<7]), let day = number(chars[8..<10]),
              let hour = number(chars[11..<13]), let minute = number(chars[14..<16]), let second = number(chars[17..<19]),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var rest = chars[19...]
        var fraction = 0.0
        if rest.first == 46 {  // '.'
            rest = rest.dropFirst()
            let digits = rest.prefix { $0 >= 48 && $0 <= 57 }
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            fraction = Double(String(decoding: digits, as: UTF8.self)).map { $0 / pow(10, Double(digits.count)) } ?? 0
            rest = rest.dropFirst(digits.count)
        }
        guard Array(rest) == [90] else { return nil }  // 'Z' only: SAML requires UTC
        let days = daysFromCivil(year, month, day)
        return Date(timeIntervalSince1970: Double(days * 86400 + hour * 3600 + minute * 60 + second) + fraction)
    }

    private static func number(_ slice: ArraySlice<UInt8>) -> Int? {
        guard slice.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return slice.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    // Howard Hinnant's civil calendar algorithms.
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = Int(z0) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
