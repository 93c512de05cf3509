import Foundation
import VarcoCore

extension StoreConformance {
    /// The administration store's behaviours (role grants, API tokens) and optimistic relying-party changes.
    public static let administrationChecks: [Check] = [
        Check("administration: grant, roles, grants, revoke", roleGrants),
        Check("administration: API tokens insert, find by hash, list, revoke once", apiTokens),
        Check("relying parties: replace only at the expected version", relyingPartyReplace),
        Check("audit: search by subject, service, kind and time; retention", auditSearch),
    ]

    static func roleGrants(_ stores: Stores) async throws {
        let admin = stores.administration
        let bianchi = try CodiceFiscale("BNCGLI85M41F205B")
        try await expectEqual(admin.grant(RoleGrant(codiceFiscale: Fixture.rossi, role: .admin, grantedBy: "cli", granted: Fixture.at(0))),
                              true, "first grant")
        try await expectEqual(admin.grant(RoleGrant(codiceFiscale: Fixture.rossi, role: .admin, grantedBy: "cli", granted: Fixture.at(5))),
                              false, "the same grant again")
        _ = try await admin.grant(RoleGrant(codiceFiscale: Fixture.rossi, role: .auditor, grantedBy: "cli", granted: Fixture.at(1)))
        _ = try await admin.grant(RoleGrant(codiceFiscale: bianchi, role: .operator, grantedBy: "admin:X", granted: Fixture.at(2)))
        try await expectEqual(admin.roles(of: Fixture.rossi), [.admin, .auditor], "roles of Rossi")
        try await expectEqual(admin.grants().map { "\($0.codiceFiscale.value) \($0.role.rawValue)" },
                              ["BNCGLI85M41F205B operator", "RSSMRA80A01H501U admin", "RSSMRA80A01H501U auditor"], "every grant")
        try await expectEqual(admin.grants().last?.granted, Fixture.at(1), "grant kept whole")
        try await expectEqual(admin.revoke(Fixture.rossi, role: .admin), true, "revoke")
        try await expectEqual(admin.revoke(Fixture.rossi, role: .admin), false, "revoke again")
        try await expectEqual(admin.roles(of: Fixture.rossi), [.auditor], "roles after revoke")
    }

    static func apiTokens(_ stores: Stores) async throws {
        let admin = stores.administration
        let first = APIToken(id: "t1", name: "deploy", role: .admin, tokenHash: "h1", created: Fixture.at(0), expires: Fixture.at(100),
                             createdBy: "cli")
        let second = APIToken(id: "t2", name: "audit", role: .auditor, tokenHash: "h2", created: Fixture.at(10), expires: Fixture.at(100),
                              createdBy: "admin:RSSMRA80A01H501U")
        try await admin.insert(first)
        try await admin.insert(second)
        try await expectThrows(StoreError.duplicate, "same id") { try await admin.insert(first) }
        try await expectEqual(admin.findToken(hash: "h2"), second, "found by hash")
        try await expectEqual(admin.findToken(hash: "h3"), nil, "unknown hash")
        try await expectEqual(admin.tokens().map(\.id), ["t2", "t1"], "newest first")
        try await expectEqual(admin.revokeToken(id: "t1", at: Fixture.at(50)), true, "revoke")
        try await expectEqual(admin.revokeToken(id: "t1", at: Fixture.at(60)), false, "revoke again")
        try await expectEqual(admin.revokeToken(id: "nope", at: Fixture.at(60)), false, "revoke unknown")
        try await expectEqual(admin.findToken(hash: "h1")?.revoked, Fixture.at(50), "revocation kept")
        try await expectEqual(admin.findToken(hash: "h1")?.isValid(at: Fixture.at(51)), false, "revoked token invalid")
    }

    static func relyingPartyReplace(_ stores: Stores) async throws {
        var party = RelyingParty(id: "https://sp.example.it/metadata", kind: .samlServiceProvider, displayName: "SP", metadata: "<x/>",
                                 created: Fixture.at(0))
        try await stores.relyingParties.save(party)
        party.displayName = "SP 2"
        party.version = 2
        try await stores.relyingParties.replace(party, expectedVersion: 1)
        try await expectEqual(stores.relyingParties.find(id: party.id)?.displayName, "SP 2", "replaced")
        var stale = party
        stale.displayName = "stale"
        stale.version = 2
        try await expectThrows(StoreError.duplicate, "replace at an old version") { try await stores.relyingParties.replace(stale, expectedVersion: 1) }
        try await expectEqual(stores.relyingParties.find(id: party.id)?.displayName, "SP 2", "unchanged after a stale replace")
        let missing = RelyingParty(id: "https://gone.example.it", kind: .samlServiceProvider, displayName: "x", metadata: "<x/>", created: Fixture.at(0))
        try await expectThrows(StoreError.notFound, "replace a missing one") { try await stores.relyingParties.replace(missing, expectedVersion: 1) }
    }
}

extension StoreConformance {
    /// Audit search by subject, service, kind and time, part of `administrationChecks`.
    static func auditSearch(_ stores: Stores) async throws {
        let events = [
            AuditEvent(time: Fixture.at(0), kind: .loginSucceeded, subject: "A", relyingParty: "sp1", detail: "1"),
            AuditEvent(time: Fixture.at(10), kind: .loginFailed, subject: "A", relyingParty: "sp2", detail: "2"),
            AuditEvent(time: Fixture.at(20), kind: .loginSucceeded, subject: "B", relyingParty: "sp1", detail: "3",
                       actor: "admin:X", before: "{}", after: "{\"a\":1}"),
        ]
        for event in events { try await stores.audit.append(event) }
        try await expectEqual(stores.audit.search(AuditQuery(subject: "A")).map(\.detail), ["2", "1"], "by subject, newest first")
        try await expectEqual(stores.audit.search(AuditQuery(relyingParty: "sp1")).map(\.detail), ["3", "1"], "by service")
        try await expectEqual(stores.audit.search(AuditQuery(kind: .loginSucceeded, limit: 1)).map(\.detail), ["3"], "by kind, limited")
        try await expectEqual(stores.audit.search(AuditQuery(from: Fixture.at(10), until: Fixture.at(20))).map(\.detail), ["2"], "by time")
        try await expectEqual(stores.audit.search(AuditQuery(subject: "B")).first, events[2], "before/after kept")
        try await expectEqual(stores.audit.deleteOlder(than: Fixture.at(10)), 1, "retention removes the older events")
        try await expectEqual(stores.audit.recent(limit: 10).map(\.detail), ["3", "2"], "newer events kept")
    }
}
