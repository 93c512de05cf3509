import Synchronization
import VarcoXML

/// Parsed service-provider metadata and its verification keys, kept while the stored metadata is
/// unchanged. Derived from the store only, so every node of a cluster may keep its own.
public final class MetadataCache: Sendable {
    public struct Entry: Sendable {
        public let metadata: ServiceProviderMetadata
        public let keys: [XMLVerificationKey]
    }

    private let entries = Mutex<[String: (source: String, entry: Entry)]>([:])
    private let capacity: Int

    public init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    /// The parsed form of `xml`, stored for `entityID`; parses again when the stored text changed.
    public func entry(for entityID: String, xml: String) throws(ServiceProviderMetadata.Invalid) -> Entry {
        if let cached = entries.withLock({ $0[entityID] }), cached.source == xml { return cached.entry }
        let metadata = try ServiceProviderMetadata(xml: xml)
        let entry = Entry(metadata: metadata, keys: metadata.verificationKeys())
        entries.withLock { table in
            if table.count >= capacity { table.removeAll() }
            table[entityID] = (xml, entry)
        }
        return entry
    }
}
