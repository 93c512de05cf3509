import VarcoCore
import VarcoXML

/// The signing certificate of a public-sector SPID/CIE service provider, as AgID Avviso 29 v3 asks:
/// subject with commonName, organizationName (the legal name), organizationIdentifier `PA:IT-<IPA code>`,
/// uri (2.5.4.83) equal to the entityID, countryName and localityName; no personal name fields;
/// basicConstraints CA:FALSE, keyUsage critical digitalSignature + nonRepudiation, certificatePolicies
/// agIDcert (1.3.76.16.6) and spid-publicsector-SP (1.3.76.16.4.2.1); RSA 2048 (3072 and 4096 are allowed too), SHA-256. Self-signed,
/// as public service providers may.
public enum ServiceProviderCertificate {
    public static func subject(settings: ServiceProviderSettings, entityID: String) -> [(String, String)] {
        [("CN", settings.organizationDisplayName), ("O", settings.organizationName),
         ("2.5.4.97", "PA:IT-\(settings.ipaCode)"), ("2.5.4.83", entityID), ("C", "IT"), ("L", settings.locality)]
    }

    public static let extensions: [(String, String)] = [
        ("basicConstraints", "CA:FALSE"),
        ("keyUsage", "critical,digitalSignature,nonRepudiation"),
        ("certificatePolicies", "1.3.76.16.6,1.3.76.16.4.2.1,1.3.76.16"),
        ("subjectKeyIdentifier", "hash"),
    ]

    public static func generate(settings: ServiceProviderSettings, entityID: String, days: Int = 730) throws(XMLError) -> SelfSignedIdentity {
        try SelfSignedIdentity.generate(subject: subject(settings: settings, entityID: entityID), extensions: extensions,
                                        bits: 2048, days: days)
    }
}
