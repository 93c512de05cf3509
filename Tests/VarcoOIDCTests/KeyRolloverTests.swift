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

    /// Published key files hold RSA and P-256 keys alike; reading an EC key must never reach the RSA parser (whose error
    /// path frees its key twice and can abort the process), so many reads in a row stay safe.
    @Test func publishedKeysOfBothKindsGetTheirKeyIDs() throws {
        let ec = P256.Signing.PrivateKey().publicKey
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey
        for _ in 0..<500 {
            #expect(SigningKeys.rsaPublicKey(pem: ec.pemRepresentation) == nil)
        }
        #expect(SigningKeys.keyID(ofPublicKeyPEM: ec.pemRepresentation) == JWK.ec(ec, keyID: nil).thumbprint())
        #expect(SigningKeys.keyID(ofPublicKeyPEM: rsa.pemRepresentation) == (try JWK.rsa(rsa, keyID: nil).thumbprint()))
        #expect(SigningKeys.keyID(ofPublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----") == nil)
    }
}
