import Foundation

/// A `multipart/form-data` body (RFC 7578) reduced to what the console's upload form sends: text fields and one
/// file's content, each by field name. Bounded by the caller's body limit; anything malformed yields nil.
struct MultipartForm: Sendable {
    private(set) var fields: [String: String] = [:]

    init?(body: String, contentType: String) {
        guard let range = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let end = boundary.firstIndex(of: ";") { boundary = String(boundary[..<end]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty, boundary.count <= 200 else { return nil }
        let parts = body.components(separatedBy: "--" + boundary)
        guard parts.count >= 2 else { return nil }
        for part in parts.dropFirst() {
            if part.hasPrefix("--") { break }
            guard let split = part.range(of: "\r\n\r\n") else { continue }
            let head = part[..<split.lowerBound]
            var content = String(part[split.upperBound...])
            if content.hasSuffix("\r\n") { content = String(content.dropLast()) }  // "\r\n" is one Character
            guard let disposition = head.components(separatedBy: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let nameRange = disposition.range(of: "name=\"") else { continue }
            let rest = disposition[nameRange.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { continue }
            let name = String(rest[..<close])
            guard fields[name] == nil else { return nil }
            fields[name] = content
        }
    }

    subscript(_ name: String) -> String? { fields[name] }
}
