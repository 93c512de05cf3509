import Foundation
import VarcoCore

/// A checked AuthnRequest, kept in the login transaction until Varco answers it.
public struct SAMLLoginRequest: Codable, Sendable, Equatable {
    public var requestID: String
    public var serviceProvider: String
    public var assertionConsumerServiceURL: String
    public var relayState: String?
    public var nameIDFormat: String
    public var attributeConsumingServiceIndex: Int?
    public var requirement: LoginRequirement

    public func encoded() -> Data { (try? JSONEncoder().encode(self)) ?? Data() }

    public static func decode(_ data: Data) -> SAMLLoginRequest? {
        try? JSONDecoder().decode(SAMLLoginRequest.self, from: data)
    }
}
