import Foundation
import VarcoCore
import VarcoOIDC
import VarcoSAML

/// Registers and changes SAML services and OIDC clients for the console, the REST API and the command line.
/// Every input is checked before anything is written; a change is one compare-and-replace at the version read
/// (so two administrators cannot overwrite each other); every change is audited with its before and after.
struct RelyingPartyAdmin: Sendable {
    let stores: Stores
    let clock: any WallClock
    let random: any RandomSource
    let actor: AdminActor
    /// Demo mode: services on loopback http may register.
    let demo: Bool

    var metadataCheck: SAMLMetadataCheck { SAMLMetadataCheck(allowLoopbackHTTP: demo, now: clock.now()) }

    // MARK: SAML services

    /// Registers a new SAML service from its metadata; an entityID already registered is a conflict.
    func registerSAML(metadataXML: String, displayName: String?, settings: RelyingPartySettings = .init(),
                      source: RemoteMetadata? = nil) async throws -> RelyingParty {
        let metadata = try metadataCheck.check(metadataXML, settings: settings)
        if try await stores.relyingParties.find(id: metadata.entityID) != nil {
            throw AdminFailure(.conflict, code: "duplicate-entity-id",
                               "A service with entityID \(metadata.entityID) is already registered: change that one (or remove it first).")
        }
        let name = displayName.flatMap { $0.isEmpty ? nil : $0 } ?? metadata.organizationName ?? metadata.entityID
        let party = RelyingParty(id: metadata.entityID, kind: .samlServiceProvider, displayName: name,
                                 metadata: metadataXML.trimmingCharacters(in: .whitespacesAndNewlines),
                                 settings: settings, created: clock.now(), version: 1, source: source)
        try await stores.relyingParties.save(party)
        try await audit(.relyingPartyAdded, party.id, "SAML service registered", before: nil, after: party)
        return party
    }

    /// Replaces a SAML service's metadata (same entityID) keeping its settings.
    func replaceMetadata(id: String, metadataXML: String, expectedVersion: Int?) async throws -> RelyingParty {
        let metadata = try metadataCheck.check(metadataXML)
        guard metadata.entityID == id else {
            throw AdminFailure(.invalid, code: "entity-id-changed",
                               "The new metadata is for \(metadata.entityID), not \(id): register it as a new service.")
        }
        return try await change(id: id, expectedVersion: expectedVersion, detail: "metadata replaced") { party in
            party.metadata = metadataXML.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    // MARK: Any relying party

    func find(_ id: String) async throws -> RelyingParty {
        guard id.utf8.count <= 1024, let party = try await stores.relyingParties.find(id: id) else {
            throw AdminFailure(.notFound, code: "not-found", "No service or client is registered as \(id): the list shows the registered ones.")
        }
        return party
    }

    /// Applies `edit` to the stored registration, checks the result, and writes it only if nobody changed it since
    /// `expectedVersion` (the version the administrator saw; nil: the version just read).
    func change(id: String, expectedVersion: Int?, detail: String, kind: AuditEvent.Kind = .relyingPartyChanged,
                _ edit: (inout RelyingParty) throws -> Void) async throws -> RelyingParty {
        let before = try await find(id)
        if let expectedVersion, expectedVersion != before.version { throw Self.stale(id) }
        var after = before
        try edit(&after)
        try checkSettings(after, before: before)
        after.version = before.version + 1
        do { try await stores.relyingParties.replace(after, expectedVersion: before.version) } catch StoreError.duplicate {
            throw Self.stale(id)
        } catch StoreError.notFound {
            throw AdminFailure(.notFound, code: "not-found", "\(id) was removed meanwhile.")
        }
        try await audit(kind, id, detail, before: before, after: after)
        return after
    }

    func setEnabled(id: String, _ enabled: Bool, expectedVersion: Int?) async throws -> RelyingParty {
        try await change(id: id, expectedVersion: expectedVersion, detail: enabled ? "enabled" : "disabled") { $0.enabled = enabled }
    }

    func remove(id: String, expectedVersion: Int?) async throws {
        let before = try await find(id)
        if let expectedVersion, expectedVersion != before.version { throw Self.stale(id) }
        guard try await stores.relyingParties.remove(id: id) else {
            throw AdminFailure(.notFound, code: "not-found", "\(id) was removed meanwhile.")
        }
        try await audit(.relyingPartyRemoved, id, before.kind == .oidcClient ? "OIDC client removed" : "SAML service removed",
                        before: before, after: nil)
    }

    /// Settings that cannot work: refused before anything is written.
    private func checkSettings(_ party: RelyingParty, before: RelyingParty) throws {
        guard party.kind == .samlServiceProvider else { return }
        if !party.settings.signResponse && !party.settings.signAssertion {
            throw AdminFailure(.invalid, code: "unsigned-answers", "Sign at least the Response or the Assertion: a service cannot trust unsigned answers.")
        }
        if party.settings.requireSignedRequests, let metadata = try? ServiceProviderMetadata(xml: party.metadata), metadata.signingCertificates.isEmpty {
            throw AdminFailure(.invalid, code: "signed-requests-without-key",
                               "Signed requests cannot be required: the metadata has no signing certificate. Add one to the metadata first.")
        }
        // Checked when encryption is turned on or the metadata changes, so that a certificate expiring later never
        // blocks unrelated changes (such as disabling the service).
        let encryptionChanged = !before.settings.encryptAssertion || before.metadata != party.metadata
        if party.settings.encryptAssertion, encryptionChanged, let metadata = try? ServiceProviderMetadata(xml: party.metadata) {
            let problems = metadataCheck.encryptionProblems(metadata)
            if !problems.isEmpty { throw AdminFailure(.invalid, problems) }
        }
        if party.displayName.trimmingCharacters(in: .whitespaces).isEmpty || party.displayName.count > 200 {
            throw AdminFailure(.invalid, code: "display-name", "The display name must have 1 to 200 characters.")
        }
    }

    static func stale(_ id: String) -> AdminFailure {
        AdminFailure(.stale, code: "changed-meanwhile",
                     "\(id) was changed by someone else after you read it: reload it, check the new values, and repeat your change.")
    }

    func audit(_ kind: AuditEvent.Kind, _ id: String, _ detail: String, before: RelyingParty?, after: RelyingParty?) async throws {
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: kind, subject: actor.name, relyingParty: id, detail: detail,
                                                 clientAddress: actor.client, actor: actor.name,
                                                 before: before.flatMap { AuditJSON.of(Self.redacted($0)) },
                                                 after: after.flatMap { AuditJSON.of(Self.redacted($0)) }))
    }

    /// A registration as the audit log keeps it: never a client secret's hash.
    static func redacted(_ party: RelyingParty) -> RelyingParty {
        guard party.kind == .oidcClient, var registration = try? JSONDecoder().decode(ClientRegistration.self, from: Data(party.metadata.utf8)) else {
            return party
        }
        registration.clientSecretSHA256 = registration.clientSecretSHA256 == nil ? nil : "(set)"
        var shown = party
        shown.metadata = registration.json
        return shown
    }
}
