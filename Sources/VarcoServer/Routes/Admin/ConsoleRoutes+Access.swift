import Foundation
import Hummingbird
import VarcoCore

/// Console pages for the audit log (filters, CSV), roles and API tokens, and signing keys.
extension ConsoleRoutes {
    func registerAccess(on router: Router<VarcoRequestContext>) {
        router.get("/admin/audit") { request, context in
            try await page(request, context, "admin-audit") { _, page in
                let filter = try AuditFilter(request.uri.queryParameters)
                page.filter = .init(citizen: filter.citizen, service: filter.service, event: filter.event, from: filter.from, until: filter.until)
                do {
                    page.audit = try await varco.stores.audit.search(try filter.query).map(Self.auditRow)
                } catch let failure as AdminFailure {
                    page.problems = failure.problems.map(\.detail)
                }
                page.csvLink = "/admin/audit.csv" + (request.uri.query.map { "?" + $0 } ?? "")
            }
        }
        router.get("/admin/audit.csv") { request, context in
            guard case .user = try await ConsoleGate(varco: varco).check(request, context) else { return HTML.redirect(to: "/admin/") }
            let events: [AuditEvent]
            do { events = try await varco.stores.audit.search(try AuditFilter(request.uri.queryParameters).query) } catch let failure as AdminFailure {
                throw WebError(.badRequest, "error_badRequest", detail: failure.description)
            }
            let lines = [AuditEventView.csvHeader] + events.map { AuditEventView($0).csvLine }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: #"attachment; filename="varco-audit.csv""#],
                            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n")))
        }
        router.get("/admin/roles") { request, context in
            try await page(request, context, "admin-roles") { _, page in try await fillRoles(&page) }
        }
        router.post("/admin/roles") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                do {
                    _ = try await access(user).grant(form["codice_fiscale"] ?? "", role: form["role"] ?? "")
                    page.notice = m("admin_done_saved", request)
                } catch let failure as AdminFailure { page.problems = failure.problems.map(\.detail) }
                try await fillRoles(&page)
                return render("admin-roles", page, request, status: page.problems.isEmpty ? .ok : .unprocessableContent)
            }
        }
        router.post("/admin/roles/revoke") { request, context in
            try await action(request, context) { user, form, page in
                let cf = form["codice_fiscale"] ?? "", role = form["role"] ?? ""
                guard form["confirm"] == "1" else {
                    return try await confirm(request, page, action: "/admin/roles/revoke", question: "admin_confirm_revoke",
                                             subject: "\(role) — \(cf)", cancel: "/admin/roles",
                                             fields: [.init(name: "codice_fiscale", value: cf), .init(name: "role", value: role)])
                }
                try await access(user).revoke(cf, role: role)
                var page = page
                page.notice = m("admin_done_saved", request)
                try await fillRoles(&page)
                return render("admin-roles", page, request)
            }
        }
        router.post("/admin/tokens") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                do {
                    let (_, secret) = try await access(user).issueToken(name: form["name"] ?? "", role: form["role"] ?? "",
                                                                        lifetimeDays: Int(form["days"] ?? "") ?? 0)
                    page.secret = secret
                    page.notice = m("admin_token_once", request)
                } catch let failure as AdminFailure { page.problems = failure.problems.map(\.detail) }
                try await fillRoles(&page)
                return render("admin-roles", page, request, status: page.problems.isEmpty ? .ok : .unprocessableContent)
            }
        }
        router.post("/admin/tokens/revoke") { request, context in
            try await action(request, context) { user, form, page in
                let id = form["id"] ?? ""
                guard form["confirm"] == "1" else {
                    return try await confirm(request, page, action: "/admin/tokens/revoke", question: "admin_confirm_token",
                                             subject: id, cancel: "/admin/roles", fields: [.init(name: "id", value: id)])
                }
                try await access(user).revokeToken(id: id)
                var page = page
                page.notice = m("admin_done_saved", request)
                try await fillRoles(&page)
                return render("admin-roles", page, request)
            }
        }
        router.get("/admin/keys") { request, context in
            try await page(request, context, "admin-keys") { _, page in page.keys = keyRows(varco.signingKeyViews(), request) }
        }
        router.post("/admin/keys/:step") { request, context in
            try await action(request, context) { user, form, page in
                guard let step = KeyRolloverStep(rawValue: try context.parameters.require("step")) else {
                    throw WebError(.notFound, "error_notFound", detail: "console: unknown key rollover step")
                }
                guard form["confirm"] == "1" else {
                    return try await confirm(request, page, action: "/admin/keys/\(step.rawValue)", question: "admin_confirm_keys_\(step.rawValue.replacingOccurrences(of: "-", with: "_"))",
                                             subject: "", cancel: "/admin/keys")
                }
                var page = page
                page.keys = keyRows(try await KeyRollover(varco: varco, actor: user.actor).run(step).keys, request)
                page.notice = m("admin_keys_applied", request)
                return render("admin-keys", page, request)
            }
        }
    }

    private func keyRows(_ keys: [SigningKeyView], _ request: Request) -> [ConsolePage.KeyRow] {
        keys.map { ConsolePage.KeyRow(key: $0, stateLabel: m("admin_key_state_\($0.state)", request)) }
    }

    private func access(_ user: ConsoleUser) -> AccessAdmin {
        AccessAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: user.actor)
    }

    private func fillRoles(_ page: inout ConsolePage) async throws {
        page.grants = try await varco.stores.administration.grants().map(RoleGrantView.init)
        let now = varco.clock.now()
        page.tokens = try await varco.stores.administration.tokens().map {
            .init(id: $0.id, name: $0.name, role: $0.role.rawValue, expires: ISO8601DateFormatter().string(from: $0.expires), active: $0.isValid(at: now))
        }
        page.roles = AdminRole.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: false) }
    }

    static func auditRow(_ event: AuditEvent) -> ConsolePage.AuditRow {
        ConsolePage.AuditRow(time: ISO8601DateFormatter().string(from: event.time), event: event.kind.rawValue, subject: event.subject ?? "",
                             service: event.relyingParty ?? "", detail: event.detail, client: event.clientAddress ?? "",
                             change: event.before == nil && event.after == nil ? nil
                                 : ConsolePage.Change(before: event.before ?? "—", after: event.after ?? "—"))
    }
}
