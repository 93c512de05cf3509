import Foundation
import VarcoCore

/// JSON as the OIDC endpoints write it: sorted keys, slashes unescaped, dates never used.
enum JSONText {
    static func data(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only plain structs of strings and numbers are encoded here: this cannot fail.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func encode(_ value: some Encodable) -> String { String(decoding: data(value), as: UTF8.self) }
}

extension Base64URL {
    /// Decodes unpadded base64url; nil if malformed.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

/// What an endpoint answers, without any web framework: status, JSON body, extra headers.
public struct OAuthJSONResponse: Sendable, Equatable {
    public let status: Int
    public let body: String
    public let headers: [String: String]

    init(status: Int = 200, body: String, headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    static func ok(_ value: some Encodable) -> Self { .init(body: JSONText.encode(value), headers: ["Cache-Control": "no-store"]) }

    static func error(_ error: OAuthError, bearerChallenge: Bool = false, basicChallenge: Bool = false) -> Self {
        var headers = ["Cache-Control": "no-store"]
        if bearerChallenge { headers["WWW-Authenticate"] = #"Bearer error="\#(error.code.rawValue)""# }
        if basicChallenge { headers["WWW-Authenticate"] = #"Basic realm="varco""# }
        return .init(status: error.status, body: error.json, headers: headers)
    }
}
