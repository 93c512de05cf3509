import SwiftASN1
import X509

/// The card profile as a swift-certificates policy, beside `RFC5280Policy` in the `Verifier`: it enforces the
/// leaf's keyUsage and extendedKeyUsage, so those extensions may be critical. The certificate policy is enforced
/// on the leaf by `CardChainValidator` once the family is known (never as a chain-wide RFC 5280 policy constraint).
/// (`CardChainValidator` runs the usage checks first as well, to name the exact reason of a refusal.)
struct CardLeafPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage, Certificate.certificatePoliciesOID,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        do throws(CardRefusal) {
            try CardProfile.checkUsage(chain.leaf)
            return .meetsPolicy
        } catch {
            return .failsToMeetPolicy(reason: "\(error)")
        }
    }
}
