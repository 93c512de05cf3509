import Foundation
import Testing
import VarcoCore
import VarcoOIDC

/// UserInfo releases what the granted scopes ask for, within what the client's policy allows.
@Suite struct ClaimPolicyTests {
    /// UserInfo for a "conf" client with `released` as its policy, after a login granting `scopes`.
    func userInfo(released: [IdentityAttribute]?, scopes: [String]) async throws -> (body: String, info: UserInfo) {
        let f = try await OIDCFixture()
        var party = OIDCFixture.client("conf", method: .clientSecretBasic)
        party.settings.releasedAttributes = released
        try await f.parties.save(party)
        let tokens = try OIDCFixture.tokens(await f.exchange(try await f.code(scopes: scopes)).0)
        let (answer, error) = await f.provider.userInfo(authorization: "Bearer \(tokens.access_token)")
        #expect(error == nil && answer.status == 200)
        return (answer.body, try JSONDecoder().decode(UserInfo.self, from: Data(answer.body.utf8)))
    }

    @Test func aClientLimitedToTheFiscalNumberGetsOnlySubAndFiscalNumber() async throws {
        let (body, info) = try await userInfo(released: [.fiscalNumber], scopes: ["openid", "profile", "email", "phone"])
        #expect(info.fiscalNumber == "TINIT-RSSMRA80A01H501U" && !info.sub.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["sub", "https://attributes.eid.gov.it/fiscal_number"])
    }

    @Test func anUnrestrictedClientGetsWhatItsScopesAllow() async throws {
        let all = try await userInfo(released: nil, scopes: ["openid", "profile", "email", "phone"]).info
        #expect(all.given_name == "Mario" && all.family_name == "Rossi" && all.birthdate == "1980-01-01" && all.gender == "male")
        #expect(all.place_of_birth == UserInfo.PlaceOfBirth(locality: "H501", region: "RM") && all.fiscalNumber == "TINIT-RSSMRA80A01H501U")
        #expect(all.email == "mario.rossi@example.it" && all.phone_number == "+393331234567")

        let profileOnly = try await userInfo(released: nil, scopes: ["openid", "profile"]).info
        #expect(profileOnly.given_name == "Mario" && profileOnly.email == nil && profileOnly.phone_number == nil)
        let openidOnly = try await userInfo(released: nil, scopes: ["openid"]).body
        #expect(try #require(try JSONSerialization.jsonObject(with: Data(openidOnly.utf8)) as? [String: Any]).keys.sorted() == ["sub"])
    }

    @Test func thePolicyDoesNotAddWhatTheScopesDoNotAsk() async throws {
        let info = try await userInfo(released: [.email, .name], scopes: ["openid", "profile"]).info
        #expect(info.given_name == "Mario" && info.email == nil && info.family_name == nil && info.fiscalNumber == nil)
    }

    @Test func aPlaceOfBirthCarriesOnlyTheAllowedParts() async throws {
        let info = try await userInfo(released: [.placeOfBirth], scopes: ["openid", "profile"]).info
        #expect(info.place_of_birth == UserInfo.PlaceOfBirth(locality: "H501", region: nil))
    }

    @Test func claimsMapToAttributesAndBack() {
        #expect(UserClaim.allowed(by: nil) == UserClaim.allCases)
        #expect(UserClaim.allowed(by: [.countyOfBirth, .email]) == [.placeOfBirth, .email])
        #expect(UserClaim.releasedAttributes(for: [.placeOfBirth, .fiscalNumber]) == [.fiscalNumber, .placeOfBirth, .countyOfBirth])
        #expect(Set(IdentityAttribute.allCases) == Set(UserClaim.releasedAttributes(for: UserClaim.allCases)))
    }

    @Test func discoveryListsTheClaimsAndTheirScopes() async throws {
        let document = try await OIDCFixture().provider.discovery()
        #expect(Set(UserClaim.allCases.map(\.rawValue)).isSubset(of: document.claims_supported))
        #expect(document.claims_supported.contains("phone_number") && document.claims_supported.contains("place_of_birth"))
        #expect(document.scopes_supported == ["email", "offline_access", "openid", "phone", "profile"])
    }
}
