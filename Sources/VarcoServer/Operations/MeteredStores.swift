import Foundation
import VarcoCore

/// The audit log, counting every event by kind (and SMS sent) and timing each write.
struct MeteredAuditLog: AuditLog {
    let base: any AuditLog
    let metrics: Metrics

    func append(_ event: AuditEvent) async throws {
        try await metrics.time("varco_store_duration_seconds", [("store", "audit"), ("operation", "append")]) {
            try await base.append(event)
        }
        metrics.count("varco_audit_events_total", [("event", event.kind.rawValue)])
        if event.kind == .otpSMSSent { metrics.count("varco_sms_sent_total") }
    }

    func recent(limit: Int) async throws -> [AuditEvent] { try await base.recent(limit: limit) }
    func recent(subjects: [String], limit: Int) async throws -> [AuditEvent] { try await base.recent(subjects: subjects, limit: limit) }
    func deleteOlder(than cutoff: Date) async throws -> Int { try await base.deleteOlder(than: cutoff) }
    func search(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await metrics.time("varco_store_duration_seconds", [("store", "audit"), ("operation", "search")]) { try await base.search(query) }
    }
}

/// SSO sessions, timing each call.
struct MeteredSessionStore: SessionStore {
    let base: any SessionStore
    let metrics: Metrics

    private func timed<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        try await metrics.time("varco_store_duration_seconds", [("store", "sessions"), ("operation", operation)], body)
    }

    func insert(_ session: SSOSession) async throws { try await timed("insert") { try await base.insert(session) } }
    func find(id: String) async throws -> SSOSession? { try await timed("find") { try await base.find(id: id) } }
    @discardableResult
    func update(id: String, _ change: @Sendable (inout SSOSession) throws -> Void) async throws -> SSOSession {
        try await timed("update") { try await base.update(id: id, change) }
    }
    func delete(id: String) async throws { try await timed("delete") { try await base.delete(id: id) } }
    func deleteIdle(lastSeenBefore cutoff: Date) async throws -> Int { try await timed("deleteIdle") { try await base.deleteIdle(lastSeenBefore: cutoff) } }
    func expired(lastSeenBefore: Date, createdBefore: Date, limit: Int) async throws -> [SSOSession] {
        try await timed("expired") { try await base.expired(lastSeenBefore: lastSeenBefore, createdBefore: createdBefore, limit: limit) }
    }
}
