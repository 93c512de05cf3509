import Foundation
import Hummingbird
import VarcoCore

/// `/admin/api/v1/audit`, `/roles`, `/tokens` and `/keys`.
extension AdminAPIRoutes {
    struct NewGrant: Decodable {
        let codice_fiscale: String
        let role: String
    }

    struct NewToken: Decodable {
        let name: String
        let role: String
        let lifetime_days: Int?
    }

    func registerAccess(on router: Router<VarcoRequestContext>) {
        router.get(RouterPath(Self.base + "/audit")) { request, context in
            try await handle(request, context, .read) { _, _ in
                AdminJSON.response(try await auditEvents(request).map(AuditEventView.init))
            }
        }
        router.get(RouterPath(Self.base + "/audit.csv")) { request, context in
            try await handle(request, context, .read) { _, _ in
                let lines = [AuditEventView.csvHeader] + (try await auditEvents(request)).map { AuditEventView($0).csvLine }
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                       .contentDisposition: #"attachment; filename="varco-audit.csv""#],
                                body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n")))
            }
        }
        router.get(RouterPath(Self.base + "/roles")) { request, context in
            try await handle(request, context, .read) { _, _ in
                AdminJSON.response(try await varco.stores.administration.grants().map(RoleGrantView.init))
            }
        }
        router.post(RouterPath(Self.base + "/roles")) { request, context in
            try await handle(request, context, .change) { principal, _ in
                let new = try await AdminJSON.decode(NewGrant.self, from: request)
                let grant = try await access(principal).grant(new.codice_fiscale, role: new.role)
                return AdminJSON.response(RoleGrantView(grant), .created)
            }
        }
        router.delete(RouterPath(Self.base + "/roles/:cf/:role")) { request, context in
            try await handle(request, context, .change) { principal, _ in
                try await access(principal).revoke(try context.parameters.require("cf"), role: try context.parameters.require("role"))
                return Response(status: .noContent)
            }
        }
        router.get(RouterPath(Self.base + "/tokens")) { request, context in
            try await handle(request, context, .read) { _, _ in
                AdminJSON.response(try await varco.stores.administration.tokens().map { APITokenView($0) })
            }
        }
        router.post(RouterPath(Self.base + "/tokens")) { request, context in
            try await handle(request, context, .change) { principal, _ in
                let new = try await AdminJSON.decode(NewToken.self, from: request)
                let (token, secret) = try await access(principal).issueToken(name: new.name, role: new.role, lifetimeDays: new.lifetime_days ?? 90)
                return AdminJSON.response(APITokenView(token, secret: secret), .created)
            }
        }
        router.delete(RouterPath(Self.base + "/tokens/:id")) { request, context in
            try await handle(request, context, .change) { principal, _ in
                try await access(principal).revokeToken(id: try context.parameters.require("id"))
                return Response(status: .noContent)
            }
        }
        router.get(RouterPath(Self.base + "/keys")) { request, context in
            try await handle(request, context, .read) { _, _ in AdminJSON.response(varco.signingKeyViews()) }
        }
        for step in KeyRolloverStep.allCases {
            router.post(RouterPath(Self.base + "/keys/" + step.rawValue)) { request, context in
                try await handle(request, context, .change) { principal, _ in
                    AdminJSON.response(try await KeyRollover(varco: varco, actor: principal.actor).run(step))
                }
            }
        }
    }

    private func access(_ principal: Principal) -> AccessAdmin {
        AccessAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: principal.actor)
    }

    /// The events the query parameters ask for: citizen, service, event, from, until (ISO 8601), limit (1-1000).
    private func auditEvents(_ request: Request) async throws -> [AuditEvent] {
        try await varco.stores.audit.search(try AuditFilter(request.uri.queryParameters).query)
    }
}

/// The audit filters of the API and the console, checked.
struct AuditFilter: Sendable {
    var citizen = "", service = "", event = "", from = "", until = ""
    var limit = 200

    init(_ parameters: Hummingbird.Parameters) throws {
        citizen = parameters["citizen"].map(String.init) ?? ""
        service = parameters["service"].map(String.init) ?? ""
        event = parameters["event"].map(String.init) ?? ""
        from = parameters["from"].map(String.init) ?? ""
        until = parameters["until"].map(String.init) ?? ""
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw AdminFailure(.invalid, code: "limit", "limit must be a number from 1 to 1000.")
            }
            limit = value
        }
    }

    var query: AuditQuery {
        get throws {
            var query = AuditQuery(limit: limit)
            if !citizen.isEmpty { query.subject = (try? CodiceFiscale(citizen.uppercased()))?.value ?? citizen }
            if !service.isEmpty { query.relyingParty = service }
            if !event.isEmpty {
                guard let kind = AuditEvent.Kind(rawValue: event) else {
                    throw AdminFailure(.invalid, code: "event", "\(event) is not an audit event: see the list in /admin/api/openapi.json.")
                }
                query.kind = kind
            }
            query.from = try Self.date(from, "from")
            query.until = try Self.date(until, "until")
            return query
        }
    }

    static func date(_ text: String, _ name: String) throws -> Date? {
        guard !text.isEmpty else { return nil }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        day.locale = Locale(identifier: "en_US_POSIX")
        if let date = day.date(from: text) { return date }
        throw AdminFailure(.invalid, code: name, "\(name) must be a date (2026-01-31) or a time (2026-01-31T08:00:00Z).")
    }
}
