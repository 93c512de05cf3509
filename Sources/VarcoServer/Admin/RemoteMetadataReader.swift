import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// Reads a fetched metadata document: refuses a DOCTYPE, checks the signature against the pinned certificate (and
/// then reads only what was signed), picks the entity out of an aggregate, and honours validUntil and cacheDuration.
struct RemoteMetadataReader: Sendable {
    /// What was read: the EntityDescriptor alone, when it stops being valid and when to fetch it again.
    struct Read: Sendable {
        let entityXML: String
        let validUntil: Date?
        let nextRefresh: Date
    }

    /// How often a document without cacheDuration is fetched again.
    var defaultRefresh: TimeInterval = 6 * 3600
    var maxBytes = 2 * 1024 * 1024

    func read(_ bytes: [UInt8], source: RemoteMetadata, now: Date) throws(AdminFailure) -> Read {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.range(of: "<!DOCTYPE", options: .caseInsensitive) != nil {
            throw AdminFailure(.invalid, code: "metadata-doctype", "The document at the URL contains a DOCTYPE, which Varco refuses.")
        }
        let fetched: XMLDocument
        do { fetched = try XMLDocument(bytes: bytes, limit: maxBytes) } catch {
            throw AdminFailure(.invalid, code: "metadata-not-xml", "The URL did not answer with XML metadata (an HTML page or an error?): check the address.")
        }
        var document = fetched
        if let pinned = source.pinnedCertificate {
            let key: XMLVerificationKey
            do { key = try XMLVerificationKey(certificate: pinned) } catch {
                throw AdminFailure(.invalid, code: "pinned-certificate", "The pinned certificate cannot be read: give the signer's certificate in base64 (PEM without the header lines).")
            }
            do { document = try EnvelopedSignature.verify(fetched.root, keys: [key], limit: maxBytes) } catch {
                throw AdminFailure(.invalid, code: "metadata-signature", "The metadata's signature is missing or was not made with the pinned certificate (\(error)): nothing was changed.")
            }
        }
        let root = document.root
        guard let entity = Self.entity(in: root, id: source.entityID) else {
            throw AdminFailure(.invalid, code: "metadata-entity", source.entityID.map { "The document has no EntityDescriptor with entityID \($0): check the entity filter." }
                               ?? "The document is an aggregate: give the entityID of the service to take from it.")
        }
        let validUntil = [root.attribute("validUntil"), entity.attribute("validUntil")].compactMap { $0.flatMap(SAMLTime.parse) }.min()
        if let validUntil, validUntil <= now {
            throw AdminFailure(.invalid, code: "metadata-expired", "The metadata's validUntil (\(SAMLTime.format(validUntil))) has passed: ask the service for a current document.")
        }
        let cache = [root.attribute("cacheDuration"), entity.attribute("cacheDuration")].compactMap { $0.flatMap(Self.duration) }.min()
        var next = now.addingTimeInterval(max(60, min(cache ?? defaultRefresh, defaultRefresh)))
        if let validUntil { next = min(next, validUntil) }
        return Read(entityXML: entity.serialized(), validUntil: validUntil, nextRefresh: next)
    }

    /// The EntityDescriptor: the root itself, or the one with `id` in an aggregate (EntitiesDescriptor, nested too).
    static func entity(in node: XMLNode, id: String?) -> XMLNode? {
        if node.isElement("EntityDescriptor", namespace: SAMLNamespace.metadata) {
            return id == nil || node.attribute("entityID") == id ? node : nil
        }
        guard node.isElement("EntitiesDescriptor", namespace: SAMLNamespace.metadata), let id else { return nil }
        for child in node.children where child.isElement("EntityDescriptor", namespace: SAMLNamespace.metadata) || child.isElement("EntitiesDescriptor", namespace: SAMLNamespace.metadata) {
            if let found = entity(in: child, id: id) { return found }
        }
        return nil
    }

    /// An xs:duration such as PT6H or P1DT12H (years and months are refused: their length varies).
    static func duration(_ text: String) -> TimeInterval? {
        guard text.hasPrefix("P"), !text.contains("-") else { return nil }
        var total: TimeInterval = 0, number = "", inTime = false
        for character in text.dropFirst() {
            if character == "T" { inTime = true; continue }
            if character.isNumber || character == "." { number.append(character); continue }
            guard let value = Double(number) else { return nil }
            number = ""
            switch (character, inTime) {
            case ("D", false): total += value * 86400
            case ("W", false): total += value * 7 * 86400
            case ("H", true): total += value * 3600
            case ("M", true): total += value * 60
            case ("S", true): total += value
            default: return nil
            }
        }
        return number.isEmpty ? total : nil
    }
}
