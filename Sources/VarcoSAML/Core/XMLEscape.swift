/// Escaping for values placed in XML text and attributes built as strings.
public enum XMLEscape {
    public static func text(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for char in value.unicodeScalars {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Drop characters XML 1.0 forbids instead of producing an unparseable document.
                if char.value < 0x20 && char != "\n" && char != "\r" && char != "\t" { continue }
                out.unicodeScalars.append(char)
            }
        }
        return out
    }
}
