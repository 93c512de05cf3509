import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import VarcoOIDC

@Suite struct KeyRolloverTests {
    struct Claims: Codable { let sub: String }

    @Test func previousKeysArePublishedAndStillVerifyTheirTokens() throws {
        let oldRSA = try SigningKeys.generateRSAPrivateKeyPEM(), oldEC = SigningKeys.generateECPrivateKeyPEM()
        let old = try SigningKeys(rsaPrivateKeyPEM: oldRSA, ecPrivateKeyPEM: oldEC)
        let rsaToken = try old.sign(Claims(sub: "a"), type: "at+jwt")
        let ecToken = try old.sign(Claims(sub: "b"), type: "at+jwt", algorithm: .es256)

        let oldPublic = [try _RSA.Signing.PrivateKey(pemRepresentation: oldRSA).publicKey.pemRepresentation,
                         try P256.Signing.PrivateKey(pemRepresentation: oldEC).publicKey.pemRepresentation]
        let withoutOld = try SigningKeys(rsaPrivateKeyPEM: try SigningKeys.generateRSAPrivateKeyPEM(),
                                         ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM())
        #expect(withoutOld.verifiedPayload(rsaToken, type: "at+jwt") == nil)

        let rolled = try SigningKeys(rsaPrivateKeyPEM: try SigningKeys.generateRSAPrivateKeyPEM(),
                                     ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM(), publishedPublicKeyPEMs: oldPublic)
        #expect(rolled.verifiedPayload(rsaToken, type: "at+jwt") != nil)
        #expect(rolled.verifiedPayload(ecToken, type: "at+jwt") != nil)
        let kids = try rolled.jwks().keys.compactMap(\.kid)
        #expect(kids.count == 4)
        #expect(kids.contains(old.rsaKeyID) && kids.contains(old.ecKeyID))
        #expect(kids.first == rolled.rsaKeyID)
    }

    @Test func unreadablePublishedKeyStopsTheStart() {
        #expect(throws: SigningKeysError.self) {
            try SigningKeys(rsaPrivateKeyPEM: try SigningKeys.generateRSAPrivateKeyPEM(),
                            ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM(), publishedPublicKeyPEMs: ["not a key"])
        }
    }
}
