import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOIDC
@testable import VarcoServer

/// The claims released to an OIDC client through the REST API.
extension AdminAPITests {
    @Test func theClaimsReleasedAreReadChangedAndCheckedByName() async throws {
        let h = try await ServerHarness.make()
        let (adminToken, _) = try await tokens(h)
        try await h.run { browser in
            let api = Call(client: browser.client, token: adminToken)
            let created = try await api.send(.post, "/oidc-clients", json: #"{"redirect_uris": ["https://rp.test/cb"], "released_claims": ["email"]}"#)
            #expect(created.status == .created)
            let client = try #require(Self.object(created)["client"] as? [String: Any])
            #expect(client["released_claims"] as? [String] == ["email"])
            let id = try #require(client["client_id"] as? String)
            #expect(try await h.stores.relyingParties.find(id: id)?.settings.releasedAttributes == [.email])

            let limited = try await api.send(.patch, "/oidc-clients/\(id)", json: #"{"released_claims": ["https://attributes.eid.gov.it/fiscal_number", "given_name"]}"#,
                                             headers: [.ifMatch: "\"v1\""])
            #expect(limited.status == .ok && limited.headers[.eTag] == "\"v2\"")
            #expect(try Self.object(limited)["released_claims"] as? [String] == ["https://attributes.eid.gov.it/fiscal_number", "given_name"])
            let read = try Self.object(try await api.send(.get, "/oidc-clients/\(id)"))
            #expect(read["released_claims"] as? [String] == ["https://attributes.eid.gov.it/fiscal_number", "given_name"])

            // An unknown claim is a problem naming it, and nothing changes.
            let unknown = try await api.send(.patch, "/oidc-clients/\(id)", json: #"{"released_claims": ["given_name", "codice_segreto"], "enabled": false}"#)
            #expect(unknown.status == .unprocessableContent && unknown.headers[.contentType] == "application/problem+json")
            let problem = try Self.object(unknown)
            #expect(problem["type"] as? String == "urn:varco:problem:claim")
            #expect((problem["detail"] as? String)?.contains("codice_segreto") == true)
            let stored = try #require(try await h.stores.relyingParties.find(id: id))
            #expect(stored.version == 2 && stored.enabled && stored.settings.releasedAttributes == [.fiscalNumber, .name])
            #expect(try await api.send(.post, "/oidc-clients", json: #"{"redirect_uris": ["https://rp.test/cb"], "released_claims": ["nope"]}"#).status
                    == .unprocessableContent)
            #expect(try await h.stores.relyingParties.list().filter { $0.kind == .oidcClient }.count == 1)

            // An empty list lifts the limit.
            let lifted = try await api.send(.patch, "/oidc-clients/\(id)", json: #"{"released_claims": []}"#)
            #expect(try lifted.status == .ok && Self.object(lifted)["released_claims"] == nil)
        }
        let changes = try await h.stores.audit.search(AuditQuery(relyingParty: nil, kind: .relyingPartyChanged))
        #expect(changes.count == 2)
        let limited = try #require(changes.last)
        #expect(limited.before?.contains(#""releasedAttributes":["email"]"#) == true)
        #expect(limited.after?.contains(#""releasedAttributes":["fiscalNumber","name"]"#) == true)
        #expect(limited.actor == "token:deploy")
    }

    @Test func theOpenAPIDocumentNamesEveryClaim() throws {
        let text = try String(contentsOfFile: "templates/api/admin-openapi.json", encoding: .utf8)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let client = try #require((schemas["OIDCClient"] as? [String: Any])?["properties"] as? [String: Any])
        let items = try #require((client["released_claims"] as? [String: Any])?["items"] as? [String: Any])
        #expect(items["enum"] as? [String] == UserClaim.allCases.map(\.rawValue))
    }
}
