import Foundation
import X509

/// The authentication-certificate profile every accepted card certificate must follow, checked on the leaf
/// (AgID "Struttura del certificato di autenticazione CNS"; the CIE follows the same rules with its own policy OID).
///
/// The policy OID is checked on the leaf only: the CIE sub-CA asserts 1.3.76.47.2, not the leaf's 1.3.76.47.4,
/// so RFC 5280 policy processing with an explicit-policy requirement would refuse every real CIE.
public enum CardProfile {
    /// The leaf's validity at `now`.
    public static func checkValidity(_ leaf: Certificate, now: Date) throws(CardRefusal) {
        if now < leaf.notValidBefore {
            throw CardRefusal(.notYetValid, "certificate valid from \(leaf.notValidBefore)")
        }
        if now > leaf.notValidAfter {
            throw CardRefusal(.expired, "certificate expired on \(leaf.notValidAfter)")
        }
    }

    /// keyUsage and extendedKeyUsage: the same for every family.
    public static func checkUsage(_ leaf: Certificate) throws(CardRefusal) {
        let keyUsage: KeyUsage?
        let extendedKeyUsage: ExtendedKeyUsage?
        do {
            keyUsage = try leaf.extensions.keyUsage
            extendedKeyUsage = try leaf.extensions.extendedKeyUsage
        } catch {
            throw CardRefusal(.malformedCertificate, "undecodable extension: \(error)")
        }
        // The separate signature certificate of a CNS carries nonRepudiation: never accept it for login.
        if keyUsage?.nonRepudiation == true {
            throw CardRefusal(.signatureCertificate, "keyUsage has nonRepudiation (a signature certificate)")
        }
        guard let keyUsage, keyUsage.digitalSignature else {
            throw CardRefusal(.wrongKeyUsage, "keyUsage lacks digitalSignature (\(keyUsage.map { "\($0)" } ?? "absent"))")
        }
        guard let extendedKeyUsage, extendedKeyUsage.contains(.clientAuth) else {
            throw CardRefusal(.wrongExtendedKeyUsage, "extendedKeyUsage lacks clientAuth (\(extendedKeyUsage.map { "\($0)" } ?? "absent"))")
        }
    }

    /// The certificate policy of the family that issued the card.
    public static func checkPolicy(_ leaf: Certificate, policy: CardFamilyPolicy) throws(CardRefusal) {
        let policies: [String]
        do { policies = try leaf.policyOIDs() } catch {
            throw CardRefusal(.malformedCertificate, "undecodable certificatePolicies: \(error)")
        }
        guard policies.contains(where: policy.policyOIDs.contains) else {
            throw CardRefusal(.wrongPolicy, "certificate policies \(policies) contain none of \(policy.policyOIDs)")
        }
    }
}
