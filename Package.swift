// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "varco",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "varco", targets: ["varco"]),
        .executable(name: "varco-fuzz", targets: ["VarcoFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    ],
    targets: [
        // Native code: libxml2 + xmlsec1 (OpenSSL), libargon2 and libqrencode. Only VarcoXML imports these.
        .systemLibrary(
            name: "CXMLSec",
            pkgConfig: "xmlsec1-openssl",
            providers: [.apt(["libxml2-dev", "libxmlsec1-dev", "libxmlsec1-openssl", "libssl-dev", "libargon2-dev", "zlib1g-dev", "libqrencode-dev"])]
        ),
        .target(name: "CXMLSecShim", dependencies: ["CXMLSec"]),
        .target(name: "VarcoXML", dependencies: ["CXMLSec", "CXMLSecShim"]),

        .target(name: "VarcoCore"),
        .target(name: "VarcoSAML", dependencies: [
            "VarcoCore", "VarcoXML",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "VarcoOTP", dependencies: [
            "VarcoCore", "VarcoXML",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "VarcoOIDC", dependencies: [
            "VarcoCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "VarcoSPID", dependencies: ["VarcoCore", "VarcoSAML", "VarcoXML"]),
        // TS-CNS / CNS / CIE client certificates: trust, chain, profile, revocation, identity. No HTTP here.
        .target(name: "VarcoSmartCard", dependencies: [
            "VarcoCore",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "VarcoStorageSQLite", dependencies: [
            "VarcoCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "VarcoStoragePostgres", dependencies: [
            "VarcoCore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "VarcoServer", dependencies: [
            "VarcoCore", "VarcoSAML", "VarcoOTP", "VarcoXML", "VarcoStorageSQLite", "VarcoStoragePostgres", "VarcoOIDC", "VarcoSPID",
            "VarcoSmartCard",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "varco", dependencies: [
            "VarcoServer", "VarcoSmartCard",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "VarcoTesting", dependencies: ["VarcoCore"]),
        // libFuzzer targets (scripts/fuzz builds them with -sanitize=fuzzer); a plain build replays inputs.
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "VarcoFuzz", dependencies: [
            "CFuzzDriver", "VarcoCore", "VarcoSAML", "VarcoOIDC", "VarcoXML", "VarcoStorageSQLite", "VarcoTesting", "VarcoSmartCard",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),

        .testTarget(name: "VarcoXMLTests", dependencies: ["VarcoXML"]),
        .testTarget(name: "VarcoCoreTests", dependencies: ["VarcoCore", "VarcoTesting"]),
        .testTarget(name: "VarcoSAMLTests", dependencies: ["VarcoSAML", "VarcoXML", "VarcoTesting"]),
        .testTarget(name: "VarcoSPIDTests", dependencies: ["VarcoSPID", "VarcoSAML", "VarcoXML", "VarcoTesting"]),
        .testTarget(name: "VarcoOTPTests", dependencies: ["VarcoOTP", "VarcoTesting"]),
        .testTarget(name: "VarcoOIDCTests", dependencies: ["VarcoStorageSQLite", "VarcoOIDC", "VarcoTesting"]),
        .testTarget(name: "VarcoSmartCardTests", dependencies: [
            "VarcoSmartCard", "VarcoTesting",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "VarcoStorageSQLiteTests", dependencies: ["VarcoStorageSQLite", "VarcoTesting"]),
        .testTarget(name: "VarcoStoragePostgresTests", dependencies: [
            "VarcoStoragePostgres", "VarcoTesting",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "VarcoServerTests", dependencies: [
            "VarcoServer", "VarcoTesting", "VarcoOIDC", "VarcoSmartCard",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
    ]
)
