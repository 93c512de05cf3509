import Foundation
import VarcoCore
import VarcoOTP
import VarcoXML

/// Seeds the demo: the citizen Mario Rossi with an authenticator-app credential, and the three demo
/// services registered from their metadata. Idempotent: existing records are left as they are.
struct DemoSeeder {
    static let citizen = Citizen(codiceFiscale: try! CodiceFiscale("RSSMRA80A01H501U"), givenName: "Mario", familyName: "Rossi",
                                 dateOfBirth: "1980-01-01", placeOfBirth: "H501", countyOfBirth: "RM", gender: "M",
                                 email: "mario.rossi@example.it", mobilePhone: "+393331234567")
    static let otpID = "8038000030"
    static let password = "Demo-Varco-2026"
    static let totpSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    let stores: Stores
    let clock: any WallClock
    let random: any RandomSource

    func seed(servicePort: Int, serviceCertificateBase64: String) async throws {
        if try await stores.citizens.find(Self.citizen.codiceFiscale) == nil {
            try await stores.citizens.save(Self.citizen)
        }
        if try await stores.otpCredentials.find(id: Self.otpID) == nil {
            let hash = try PasswordHasher(random: random).hash(Self.password)
            let credential = OTPCredential(id: Self.otpID, citizen: Self.citizen.codiceFiscale, passwordHash: hash,
                                           totpSecret: try Base32.decode(Self.totpSecret), status: .active, created: clock.now())
            // Several nodes may seed at once: the first insert wins, the others find it done.
            do { try await stores.otpCredentials.insert(credential) } catch StoreError.duplicate {}
        }
        try await seedRegionalOTP()
        // The demo administrator is the demo citizen (documented in the README).
        _ = try await stores.administration.grant(RoleGrant(codiceFiscale: Self.citizen.codiceFiscale, role: .admin, grantedBy: "demo",
                                                            granted: clock.now()))
        for service in DemoService.all {
            let metadata = service.metadata(port: servicePort, certificateBase64: serviceCertificateBase64)
            try await stores.relyingParties.save(RelyingParty(id: service.entityID(port: servicePort), kind: .samlServiceProvider,
                                                              displayName: service.name, metadata: metadata, created: clock.now()))
        }
    }
}
