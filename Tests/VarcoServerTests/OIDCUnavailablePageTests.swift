import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
@testable import VarcoServer

/// The database out of reach while `/oidc/authorize` or `/oidc/logout` looks the client up: the error page says
/// so with 503 (the citizen may retry), not 500 or 400.
@Suite struct OIDCUnavailablePageTests {
    /// A registry that registers, but cannot be read: the database host went away after the harness was seeded.
    struct ReadsUnreachable: RelyingPartyStore {
        let registry: any RelyingPartyStore
        func save(_ relyingParty: RelyingParty) async throws { try await registry.save(relyingParty) }
        func find(id: String) async throws -> RelyingParty? { throw StoreError.unavailable("no database host answers") }
        func list() async throws -> [RelyingParty] { throw StoreError.unavailable("no database host answers") }
        func remove(id: String) async throws -> Bool { throw StoreError.unavailable("no database host answers") }
    }

    @Test(arguments: [
        "/oidc/authorize?client_id=conf&redirect_uri=https%3A%2F%2Frp.test%2Fcb&response_type=code&scope=openid",
        "/oidc/logout?client_id=conf&post_logout_redirect_uri=https%3A%2F%2Frp.test%2Fbye",
    ])
    func theErrorPageIsA503(_ uri: String) async throws {
        let h = try await ServerHarness.make(relyingParties: { ReadsUnreachable(registry: $0) })
        try await h.run { browser in
            let page = try await browser.get(uri)
            #expect(page.status == .serviceUnavailable)
            #expect(page.headers[.location] == nil)
            #expect(String(buffer: page.body).contains("momentaneamente non disponibile"))
        }
    }

    @Test func aBadRequestStaysA400() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let page = try await browser.get("/oidc/authorize?client_id=nobody&response_type=code&scope=openid")
            #expect(page.status == .badRequest)
        }
    }
}
