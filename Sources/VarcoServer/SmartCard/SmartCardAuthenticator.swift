import Foundation
import VarcoCore
import VarcoSmartCard
import X509

/// Login with a TS-CNS, CNS or CIE authentication certificate. The card checks live in `VarcoSmartCard`; this
/// authenticator turns a checked card into a citizen (matched, or created on a first login, by codice fiscale)
/// and an `AuthnResult` at the card family's level.
struct SmartCardAuthenticator: Authenticator {
    let descriptor: AuthenticatorDescriptor
    let inspector: CardInspector
    let trust: TrustDirectory
    let citizens: any CitizenStore
    let clock: any WallClock

    init(settings: SmartCardSettings, trust: TrustDirectory, citizens: any CitizenStore, clock: any WallClock) {
        descriptor = AuthenticatorDescriptor(method: .smartCard, levels: Set(settings.policies.values.map(\.level)))
        let validator = CardChainValidator(trust: { try trust.current() }, policies: settings.policies)
        let revocation = RevocationChecker(fetcher: HTTPRevocationFetcher(timeout: settings.fetchTimeoutSeconds), clock: clock,
                                           ocspLifetime: settings.ocspCacheSeconds, crlLifetime: settings.crlCacheSeconds)
        inspector = CardInspector(validator: validator, revocation: revocation, clock: clock)
        self.trust = trust
        self.citizens = citizens
        self.clock = clock
    }

    /// The proof of a card that passed every check; creates the citizen on a first login.
    func authenticate(_ login: CardLogin) async throws -> AuthnResult {
        let holder = login.holder
        if try await citizens.find(holder.codiceFiscale) == nil {
            let fiscal = holder.codiceFiscale
            try await citizens.save(Citizen(codiceFiscale: fiscal, givenName: holder.givenName ?? "", familyName: holder.familyName ?? "",
                                            dateOfBirth: fiscal.dateOfBirth(now: clock.now()), placeOfBirth: fiscal.placeOfBirth,
                                            gender: fiscal.gender))
        }
        return AuthnResult(citizen: holder.codiceFiscale, level: login.level, method: .smartCard, instant: clock.now())
    }
}
