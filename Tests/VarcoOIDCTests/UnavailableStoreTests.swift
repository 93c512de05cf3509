import Foundation
import Testing
import VarcoCore
import VarcoOIDC
import VarcoStorageSQLite
import VarcoTesting

/// The database out of reach (a failover, a lost connection): the endpoints answer `temporarily_unavailable`
/// with 503, so that the client retries, instead of `server_error`; nothing is issued.
@Suite struct UnavailableStoreTests {
    /// A registry whose database cannot be reached.
    struct Unreachable: RelyingPartyStore {
        func save(_ relyingParty: RelyingParty) async throws { throw StoreError.unavailable("no database host accepts writes") }
        func find(id: String) async throws -> RelyingParty? { throw StoreError.unavailable("no database host accepts writes") }
        func list() async throws -> [RelyingParty] { throw StoreError.unavailable("no database host accepts writes") }
        func remove(id: String) async throws -> Bool { throw StoreError.unavailable("no database host accepts writes") }
    }

    @Test func theTokenEndpointSaysTemporarilyUnavailable() async throws {
        var stores = try SQLiteStorage.inMemory().stores
        stores.relyingParties = Unreachable()
        let provider = OIDCProvider(configuration: OIDCConfiguration(issuer: "https://idp.test", pairwiseSecret: Array(repeating: 7, count: 32)),
                                    keys: OIDCFixture.keys, stores: stores, clock: FixedClock(), random: SystemRandomSource())
        let (response, error) = await provider.token(body: "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Frp.example.it%2Fcb",
                                                     authorization: OIDCFixture.basic("conf"))
        #expect(response.status == 503)
        #expect(response.body.contains(#""error":"temporarily_unavailable""#))
        #expect(error?.code == .temporarilyUnavailable)
    }

    @Test func otherFailuresStayServerErrors() {
        #expect(OAuthError.backend(StoreError.backend("disk corrupt"), while: "client lookup").code == .serverError)
        #expect(OAuthError.backend(StoreError.unavailable("failover"), while: "client lookup").status == 503)
    }
}
