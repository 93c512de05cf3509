/// Decides which attributes a service receives: those it requests (its AttributeConsumingService),
/// limited by what its registration allows. A service that requests nothing gets the default set.
public struct AttributeReleasePolicy: Sendable {
    public var defaultSet: [IdentityAttribute]

    public init(defaultSet: [IdentityAttribute] = [.fiscalNumber, .name, .familyName, .dateOfBirth]) {
        self.defaultSet = defaultSet
    }

    public func release(requested: [IdentityAttribute], settings: RelyingPartySettings) -> [IdentityAttribute] {
        let wanted = requested.isEmpty ? defaultSet : requested
        guard let allowed = settings.releasedAttributes else { return wanted }
        return wanted.filter(allowed.contains)
    }

    /// The attribute values for a citizen, in release order, skipping those the citizen lacks.
    public func values(_ attributes: [IdentityAttribute], of citizen: Citizen) -> [(IdentityAttribute, String)] {
        attributes.compactMap { attribute in attribute.value(for: citizen).map { (attribute, $0) } }
    }
}
