// swift-tools-version:6.0
// Fulcrum: one daemon for L4/L7 load balancing and VRRP. No Swift package
// dependencies: the toolchain, Glibc, and system C libraries only.
import PackageDescription

let package = Package(
    name: "Fulcrum",
    products: [
        .executable(name: "fulcrum", targets: ["fulcrum"]),
    ],
    targets: [
        // Thin C shims for kernel interfaces Glibc does not import cleanly.
        .target(name: "CFulcrum", linkerSettings: [.linkedLibrary("crypt")]),
        // zlib through a system-library module map (Debian's zlib1g-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure modules: no I/O, fast to test.
        .target(name: "FulcrumConfig"),
        .target(name: "FulcrumHTTP"),
        .target(name: "FulcrumCore", dependencies: ["FulcrumConfig", "FulcrumHTTP"]),
        .target(name: "FulcrumVRRP"),

        // Streaming gzip/deflate for HTTP responses.
        .target(name: "FulcrumCompression", dependencies: ["CZlib", "FulcrumHTTP"]),

        // System layer: typed wrappers over the kernel.
        .target(name: "FulcrumPosix", dependencies: ["CFulcrum"]),

        // Roles.
        // The worker's hot path: in release builds, exclusive access to the
        // stream's class properties is proven by the debug builds' checks
        // (every test runs with them) instead of being checked again on each
        // access at run time (swift_beginAccess was ~4% of a worker's CPU).
        .target(name: "FulcrumProxy",
                dependencies: ["FulcrumConfig", "FulcrumCore", "FulcrumHTTP", "FulcrumCompression", "FulcrumPosix"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FulcrumDaemon",
                dependencies: ["FulcrumConfig", "FulcrumCore", "FulcrumPosix", "FulcrumProxy", "FulcrumVRRP"]),
        .executableTarget(name: "fulcrum", dependencies: ["FulcrumDaemon"]),

        .testTarget(name: "FulcrumConfigTests", dependencies: ["FulcrumConfig"], exclude: ["Corpus"]),
        .testTarget(name: "FulcrumCoreTests", dependencies: ["FulcrumCore"]),
        .testTarget(name: "FulcrumHTTPTests", dependencies: ["FulcrumHTTP"]),
        .testTarget(name: "FulcrumVRRPTests", dependencies: ["FulcrumVRRP"]),
        .testTarget(name: "FulcrumCompressionTests", dependencies: ["FulcrumCompression", "CZlib"]),
        .testTarget(name: "FulcrumPosixTests", dependencies: ["FulcrumPosix"]),
        .testTarget(name: "FulcrumProxyTests", dependencies: ["FulcrumProxy"]),
        .testTarget(name: "FulcrumDaemonTests", dependencies: ["FulcrumDaemon"]),
        // Starts the real binary; depends on it so `swift test` builds it first.
        .testTarget(name: "IntegrationTests", dependencies: ["fulcrum"]),
    ],
    swiftLanguageModes: [.v5]
)
