import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
@testable import VarcoServer

/// The administration REST API: tokens scoped to roles, problem details, optimistic concurrency, audit with
/// before and after, and the OpenAPI document.
@Suite struct AdminAPITests {
    struct Call {
        let client: any TestClientProtocol
        let token: String

        func send(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, xml: String? = nil,
                  headers extra: HTTPFields = [:]) async throws -> TestResponse {
            var headers: HTTPFields = [.authorization: "Bearer \(token)"]
            if json != nil { headers[.contentType] = "application/json" }
            if xml != nil { headers[.contentType] = "application/samlmetadata+xml" }
            headers.append(contentsOf: extra)
            return try await client.execute(uri: "/admin/api/v1" + path, method: method, headers: headers,
                                            body: (json ?? xml).map { ByteBuffer(string: $0) })
        }
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    func tokens(_ h: ServerHarness) async throws -> (admin: String, auditor: String) {
        let access = AccessAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine)
        return (try await access.issueToken(name: "deploy", role: "admin", lifetimeDays: 30).secret,
                try await access.issueToken(name: "audit", role: "auditor", lifetimeDays: 30).secret)
    }

    @Test func registersChangesAndRemovesASAMLServiceWithETagsAndAudit() async throws {
        let h = try await ServerHarness.make()
        let (adminToken, _) = try await tokens(h)
        let metadata = h.metadata("fse").replacingOccurrences(of: "fse.test", with: "api.test")
        try await h.run { browser in
            let api = Call(client: browser.client, token: adminToken)
            let created = try await api.send(.post, "/saml-services", xml: metadata)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"v1\"")
            let key = try #require(Self.object(created)["key"] as? String)
            #expect(created.headers[.location] == "/admin/api/v1/saml-services/\(key)")
            // A duplicate is a 409 problem.
            let duplicate = try await api.send(.post, "/saml-services", json: #"{"metadata": \#(String(data: try JSONEncoder().encode(metadata), encoding: .utf8)!)}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.headers[.contentType] == "application/problem+json")
            #expect(try Self.object(duplicate)["type"] as? String == "urn:varco:problem:duplicate-entity-id")
            // Change with the right version, then a stale one is refused (412) and changes nothing.
            let changed = try await api.send(.patch, "/saml-services/\(key)", json: #"{"settings": {"minimum_level": "SpidL2", "released_attributes": ["fiscalNumber"]}}"#,
                                             headers: [.ifMatch: "\"v1\""])
            #expect(changed.status == .ok && changed.headers[.eTag] == "\"v2\"")
            let stale = try await api.send(.patch, "/saml-services/\(key)", json: #"{"enabled": false}"#, headers: [.ifMatch: "\"v1\""])
            #expect(stale.status == .preconditionFailed)
            let party = try #require(try await h.stores.relyingParties.find(id: "https://api.test/metadata"))
            #expect(party.enabled && party.settings.minimumLevel == .spidL2 && party.settings.releasedAttributes == [.fiscalNumber])
            // A body that breaks the schema is a 400, an impossible setting a 422.
            #expect(try await api.send(.patch, "/saml-services/\(key)", json: #"{"enabled": "yes"}"#).status == .badRequest)
            let unsigned = try await api.send(.patch, "/saml-services/\(key)", json: #"{"settings": {"sign_response": false, "sign_assertion": false}}"#)
            #expect(unsigned.status == .unprocessableContent)
            #expect(try await api.send(.delete, "/saml-services/\(key)").status == .noContent)
            #expect(try await api.send(.get, "/saml-services/\(key)").status == .notFound)
        }
        let events = try await h.stores.audit.search(AuditQuery(relyingParty: "https://api.test/metadata"))
        #expect(events.map(\.kind) == [.relyingPartyRemoved, .relyingPartyChanged, .relyingPartyAdded])
        #expect(events[1].before?.contains("\"minimumLevel\"") == false && events[1].after?.contains("\"minimumLevel\":2") == true)
        #expect(events.allSatisfy { $0.actor == "token:deploy" })
    }

    @Test func oidcClientsRegisterWithCheckedURIsAndRotateTheSecretShownOnce() async throws {
        let h = try await ServerHarness.make()
        let (adminToken, _) = try await tokens(h)
        try await h.run { browser in
            let api = Call(client: browser.client, token: adminToken)
            let fragment = try await api.send(.post, "/oidc-clients", json: #"{"redirect_uris": ["https://rp.test/cb#x", "https://*.rp.test/cb"]}"#)
            #expect(fragment.status == .unprocessableContent)
            let problems = try #require(Self.object(fragment)["errors"] as? [[String: Any]]).compactMap { $0["detail"] as? String }
            #expect(problems.contains { $0.contains("fragment") } && problems.contains { $0.contains("wildcard") })
            let created = try await api.send(.post, "/oidc-clients", json: #"{"redirect_uris": ["https://rp.test/cb"], "client_name": "RP"}"#)
            #expect(created.status == .created)
            let body = try Self.object(created)
            let secret = try #require(body["client_secret"] as? String)
            let id = try #require((body["client"] as? [String: Any])?["client_id"] as? String)
            let shown = try await api.send(.get, "/oidc-clients/\(id)")
            #expect(!String(buffer: shown.body).contains(secret) && !String(buffer: shown.body).contains("sha256"))
            let patched = try await api.send(.patch, "/oidc-clients/\(id)", json: #"{"post_logout_redirect_uris": ["https://rp.test/bye"], "backchannel_logout_uri": "https://rp.test/bcl"}"#)
            #expect(patched.status == .ok)
            let rotated = try await api.send(.post, "/oidc-clients/\(id)/secret")
            let newSecret = try #require(Self.object(rotated)["client_secret"] as? String)
            #expect(newSecret != secret)
            #expect(try await api.send(.patch, "/oidc-clients/\(id)", json: #"{"enabled": false}"#).status == .ok)
            #expect(try await api.send(.delete, "/oidc-clients/\(id)").status == .noContent)
        }
        let audit = try await h.stores.audit.recent(limit: 50)
        #expect(!audit.contains { ($0.before ?? "").contains("client_secret_sha256\":\"") && !($0.before ?? "").contains("(set)") })
    }

    @Test func tokensAreScopedExpiringAndRevocable() async throws {
        let h = try await ServerHarness.make()
        let (adminToken, auditorToken) = try await tokens(h)
        try await h.run { browser in
            let auditor = Call(client: browser.client, token: auditorToken)
            #expect(try await auditor.send(.get, "/saml-services").status == .ok)
            #expect(try await auditor.send(.get, "/audit").status == .ok)
            let key = SAMLServiceView.key(h.entityID("fse"))
            for (method, path, json) in [(HTTPRequest.Method.patch, "/saml-services/\(key)", #"{"enabled": false}"#),
                                         (.delete, "/saml-services/\(key)", nil),
                                         (.post, "/roles", #"{"codice_fiscale": "RSSMRA80A01H501U", "role": "admin"}"#),
                                         (.post, "/tokens", #"{"name": "x", "role": "admin"}"#)] {
                let refused = try await auditor.send(method, path, json: json)
                #expect(refused.status == .forbidden, "\(path)")
                #expect(refused.headers[.contentType] == "application/problem+json")
            }
            #expect(try await h.stores.relyingParties.find(id: h.entityID("fse"))?.enabled == true)
            #expect(try await h.stores.administration.grants().isEmpty)

            let admin = Call(client: browser.client, token: adminToken)
            let issued = try await admin.send(.post, "/tokens", json: #"{"name": "short", "role": "auditor", "lifetime_days": 1}"#)
            let body = try Self.object(issued)
            let secret = try #require(body["token"] as? String), id = try #require(body["id"] as? String)
            #expect(try await Call(client: browser.client, token: secret).send(.get, "/keys").status == .ok)
            #expect(!String(buffer: try await admin.send(.get, "/tokens").body).contains(secret))
            #expect(try await admin.send(.delete, "/tokens/\(id)").status == .noContent)
            #expect(try await Call(client: browser.client, token: secret).send(.get, "/keys").status == .unauthorized)
            h.clock.advance(by: 31 * 86400)
            #expect(try await admin.send(.get, "/keys").status == .unauthorized)
            #expect(try await Call(client: browser.client, token: "nonsense").send(.get, "/keys").status == .unauthorized)
        }
    }

    @Test func auditIsFilteredAndExportedAsCSVAndRolesAreGranted() async throws {
        let h = try await ServerHarness.make()
        let (adminToken, _) = try await tokens(h)
        try await h.stores.audit.append(AuditEvent(time: h.clock.now(), kind: .loginSucceeded, subject: "RSSMRA80A01H501U",
                                                   relyingParty: h.entityID("fse"), detail: "=cmd|' /C calc'!A0, \"quoted\""))
        try await h.run { browser in
            let api = Call(client: browser.client, token: adminToken)
            let granted = try await api.send(.post, "/roles", json: #"{"codice_fiscale": "rssmra80a01h501u", "role": "auditor"}"#)
            #expect(granted.status == .created)
            #expect(try await api.send(.post, "/roles", json: #"{"codice_fiscale": "RSSMRA80A01H501U", "role": "auditor"}"#).status == .conflict)
            #expect(try await api.send(.post, "/roles", json: #"{"codice_fiscale": "XYZ", "role": "auditor"}"#).status == .unprocessableContent)
            let filtered = try await api.send(.get, "/audit?citizen=RSSMRA80A01H501U&event=loginSucceeded")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(buffer: filtered.body)) as? [[String: Any]])
            #expect(events.count == 1 && events[0]["service"] as? String == h.entityID("fse"))
            #expect(try await api.send(.get, "/audit?event=nonsense").status == .unprocessableContent)
            let csv = try await api.send(.get, "/audit.csv?service=\(h.entityID("fse"))")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix(AuditEventView.csvHeader + "\r\n"))
            #expect(text.contains(#""'=cmd|' /C calc'!A0, ""quoted""""#))
            #expect(try await api.send(.delete, "/roles/RSSMRA80A01H501U/auditor").status == .noContent)
            #expect(try await api.send(.delete, "/roles/RSSMRA80A01H501U/auditor").status == .notFound)
        }
        #expect(try await h.stores.audit.search(AuditQuery(kind: .roleGranted)).first?.actor == "token:deploy")
    }

    @Test func theOpenAPIDocumentIsServedAndErrorsAreProblemDetails() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let document = try await browser.get("/admin/api/openapi.json")
            #expect(document.status == .ok)
            let object = try Self.object(document)
            #expect(object["openapi"] as? String == "3.1.0")
            let unauthenticated = try await browser.get("/admin/api/v1/saml-services")
            #expect(unauthenticated.status == .unauthorized && unauthenticated.headers[.wwwAuthenticate] != nil)
            #expect(try Self.object(unauthenticated)["status"] as? Int == 401)
            #expect(try await browser.get("/healthz").status == .ok)
            #expect(try await browser.get("/readyz").status == .ok)
        }
    }
}

/// `/metrics`: guarded, and its counters move as logins happen.
@Suite struct MetricsTests {
    static func value(_ text: String, _ series: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) } ?? 0
    }

    @Test func countersMoveAsLoginsHappenAndOnlyAllowedReadersSeeThem() async throws {
        let h = try await ServerHarness.make()
        let auditor = try await AccessAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine)
            .issueToken(name: "prometheus", role: "auditor", lifetimeDays: 30).secret
        try await h.run { browser in
            #expect(try await browser.get("/metrics").status == .forbidden)
            let scrape = { () async throws -> String in
                String(buffer: try await browser.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(auditor)"], body: nil).body)
            }
            let before = try await scrape()
            _ = try await LoginFlowTests().login(h, browser, id: "_m1")
            _ = try await browser.get(try h.ssoURI("bandi", id: "_m2"))
            let after = try await scrape()
            #expect(Self.value(after, #"varco_logins_total{method="otp-app",result="success"}"#)
                    == Self.value(before, #"varco_logins_total{method="otp-app",result="success"}"#) + 1)
            #expect(Self.value(after, #"varco_assertions_issued_total{protocol="saml"}"#) == 2)
            #expect(Self.value(after, #"varco_sso_reuse_total{protocol="saml"}"#) == 1)
            #expect(after.contains(#"varco_http_request_duration_seconds_bucket{path="sso",status="3xx",le="+Inf"}"#))
            #expect(after.contains(#"varco_store_duration_seconds_count{store="sessions",operation="find"}"#))
            #expect(after.contains("# TYPE varco_logins_total counter"))
        }
    }
}

/// Per-service settings changed through the API take effect at the next request.
@Suite struct ServiceSettingsTests {
    @Test func alwaysForceAuthnAndPersistentNameIDApplyAtTheNextRequest() async throws {
        let h = try await ServerHarness.make()
        let token = try await AccessAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine)
            .issueToken(name: "settings", role: "admin", lifetimeDays: 30).secret
        try await h.run { browser in
            let api = AdminAPITests.Call(client: browser.client, token: token)
            let bandi = SAMLServiceView.key(h.entityID("bandi")), fse = SAMLServiceView.key(h.entityID("fse"))
            #expect(try await api.send(.patch, "/saml-services/\(bandi)", json: #"{"settings": {"always_force_authn": true}}"#).status == .ok)
            #expect(try await api.send(.patch, "/saml-services/\(fse)", json: #"{"settings": {"name_id_format": "persistent"}}"#).status == .ok)
            #expect(try await api.send(.patch, "/saml-services/\(fse)", json: #"{"settings": {"name_id_format": "email"}}"#).status == .unprocessableContent)
            let answer = try await LoginFlowTests().login(h, browser, id: "_s1")
            let xml = try samlResponse(answer)
            #expect(xml.contains(#"Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent""#))
            // A live SSO session, yet bandi asks for a new proof.
            let second = try await browser.get(try h.ssoURI("bandi", id: "_s2"))
            #expect(second.status == .seeOther && second.headers[.location]?.hasPrefix("/login/") == true)
        }
    }
}
