/// The auto-submit page, rendered once per language at start with markers in place of its values and
/// filled in per request: it is sent with every SAML answer, and filling three markers costs a small
/// fraction of a template render.
struct PostFormPages: Sendable {
    private static let destination = "\u{1}DESTINATION\u{1}"
    private static let parameter = "\u{1}PARAMETER\u{1}"
    private static let value = "\u{1}VALUE\u{1}"
    private static let relayState = "\u{1}RELAYSTATE\u{1}"

    private struct Variant: Sendable {
        let withRelayState: [Substring]
        let withoutRelayState: [Substring]
    }

    private let variants: [Language: Variant]

    init(pages: Pages) {
        var variants: [Language: Variant] = [:]
        for language in Language.allCases {
            let with = pages.render("post-form", language: language, model: PostFormPage(
                destination: Self.destination, parameter: Self.parameter, value: Self.value, relayState: Self.relayState))
            let without = pages.render("post-form", language: language, model: PostFormPage(
                destination: Self.destination, parameter: Self.parameter, value: Self.value, relayState: nil))
            variants[language] = Variant(withRelayState: Self.split(with), withoutRelayState: Self.split(without))
        }
        self.variants = variants
    }

    /// The page for this answer. `value` must be base64 (it is written as is); the others are escaped.
    func render(destination: String, parameter: String, value: String, relayState: String?, language: Language) -> String {
        guard let variant = variants[language] else { return "" }
        let pieces = relayState == nil ? variant.withoutRelayState : variant.withRelayState
        var html = ""
        html.reserveCapacity(value.utf8.count + pieces.reduce(0) { $0 + $1.utf8.count } + 512)
        for piece in pieces {
            switch piece {
            case Self.destination: html += HTMLEscape.attribute(destination)
            case Self.parameter: html += HTMLEscape.attribute(parameter)
            case Self.value: html += value
            case Self.relayState: html += HTMLEscape.attribute(relayState ?? "")
            default: html += piece
            }
        }
        return html
    }

    /// Splits the page around the markers, keeping each marker as a piece of its own.
    private static func split(_ page: String) -> [Substring] {
        var pieces: [Substring] = []
        var rest = Substring(page)
        while let start = rest.firstIndex(of: "\u{1}"),
              let end = rest[rest.index(after: start)...].firstIndex(of: "\u{1}") {
            pieces.append(rest[..<start])
            pieces.append(rest[start...end])
            rest = rest[rest.index(after: end)...]
        }
        pieces.append(rest)
        return pieces
    }
}

enum HTMLEscape {
    static func attribute(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
