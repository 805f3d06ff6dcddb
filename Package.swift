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
        // OpenSSL 3 (libssl + libcrypto) through a system-library module map
        // (Debian's libssl-dev); macros wrapped in its shim header.
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),

        // Pure modules: no I/O, fast to test.
        // The vocabulary every other module speaks: IPv4/IPv6 addresses and
        // networks as values, ASCII classes and case folding, trimming and
        // splitting of byte slices.
        .target(name: "FulcrumBytes"),
        .target(name: "FulcrumConfig", dependencies: ["FulcrumBytes", "FulcrumLog"]),
        .target(name: "FulcrumHTTP", dependencies: ["FulcrumBytes"]),
        // HTTP/2 without I/O: HPACK (RFC 7541), the frame layer (RFC 9113)
        // and the server session that gateways streams to HTTP/1.1 messages
        // (FulcrumHTTP's parser and body framing read the responses).
        .target(name: "FulcrumHTTP2", dependencies: ["FulcrumBytes", "FulcrumHTTP"]),
        // Its rules, stick counters and balancers run on the worker's hot
        // path too: the same release-only exclusivity setting as FulcrumProxy
        // below (swift_beginAccess was ~6% of a tracked request).
        .target(name: "FulcrumCore", dependencies: ["FulcrumBytes", "FulcrumConfig", "FulcrumHTTP", "FulcrumLog"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FulcrumVRRP", dependencies: ["FulcrumBytes"]),
        // BGP announcement through BIRD without I/O: the announce state
        // machine, BIRD's control-socket replies, the include it reads.
        .target(name: "FulcrumBGP", dependencies: []),
        // rtnetlink requests as bytes (routes, rules, macvlan links), built
        // without I/O so each message is tested byte for byte.
        .target(name: "FulcrumNetlink", dependencies: ["FulcrumBytes"]),
        // HAProxy's logging: syslog priorities and framing, log-format
        // variables and their rendering into a reused line buffer.
        .target(name: "FulcrumLog", dependencies: ["FulcrumBytes"]),
        // DNS messages (queries; A, AAAA, SRV, CNAME answers) without I/O:
        // the resolver's codec, unit-tested and fuzzable on its own.
        .target(name: "FulcrumDNS", dependencies: ["FulcrumBytes"]),

        // Streaming gzip/deflate for HTTP responses.
        .target(name: "FulcrumCompression", dependencies: ["CZlib", "FulcrumBytes", "FulcrumHTTP"]),

        // System layer: typed wrappers over the kernel.
        .target(name: "FulcrumPosix", dependencies: ["CFulcrum", "FulcrumBytes", "FulcrumNetlink"]),

        // TLS over OpenSSL: contexts (certificates, versions, ciphers, ALPN,
        // SNI, verification) and connections on a socket, for the transport seam.
        .target(name: "FulcrumTLS", dependencies: ["COpenSSL", "FulcrumPosix"]),

        // Roles.
        // The worker's hot path: in release builds, exclusive access to the
        // stream's class properties is proven by the debug builds' checks
        // (every test runs with them) instead of being checked again on each
        // access at run time (swift_beginAccess was ~4% of a worker's CPU).
        .target(name: "FulcrumProxy",
                dependencies: ["FulcrumBytes", "FulcrumConfig", "FulcrumCore", "FulcrumHTTP", "FulcrumCompression", "FulcrumLog", "FulcrumPosix", "FulcrumTLS"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FulcrumDaemon",
                dependencies: ["FulcrumBytes", "FulcrumConfig", "FulcrumCore", "FulcrumHTTP", "FulcrumLog", "FulcrumPosix", "FulcrumProxy", "FulcrumTLS", "FulcrumVRRP", "FulcrumDNS", "FulcrumBGP"]),
        .executableTarget(name: "fulcrum", dependencies: ["FulcrumDaemon"]),

        // Test-only: counts the calling thread's mallocs (allocation budgets).
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),

        .testTarget(name: "FulcrumBytesTests", dependencies: ["FulcrumBytes"]),
        .testTarget(name: "FulcrumConfigTests", dependencies: ["FulcrumBytes", "FulcrumConfig", "FulcrumLog"], exclude: ["Corpus"]),
        .testTarget(name: "FulcrumCoreTests", dependencies: ["FulcrumBytes", "FulcrumCore", "CAllocationCounter"]),
        .testTarget(name: "FulcrumHTTPTests", dependencies: ["FulcrumBytes", "FulcrumHTTP"]),
        .testTarget(name: "FulcrumHTTP2Tests", dependencies: ["FulcrumHTTP2", "FulcrumHTTP", "CAllocationCounter"]),
        .testTarget(name: "FulcrumDNSTests", dependencies: ["FulcrumBytes", "FulcrumDNS"]),
        .testTarget(name: "FulcrumNetlinkTests", dependencies: ["FulcrumBytes", "FulcrumNetlink"]),
        .testTarget(name: "FulcrumVRRPTests", dependencies: ["FulcrumBytes", "FulcrumVRRP"]),
        .testTarget(name: "FulcrumBGPTests", dependencies: ["FulcrumBGP"]),
        .testTarget(name: "FulcrumLogTests", dependencies: ["FulcrumBytes", "FulcrumLog", "CAllocationCounter"]),
        .testTarget(name: "FulcrumCompressionTests", dependencies: ["FulcrumCompression", "CZlib"]),
        .testTarget(name: "FulcrumPosixTests", dependencies: ["FulcrumBytes", "FulcrumPosix", "CAllocationCounter"]),
        .testTarget(name: "FulcrumTLSTests", dependencies: ["FulcrumTLS", "COpenSSL", "FulcrumPosix", "CAllocationCounter"]),
        .testTarget(name: "FulcrumProxyTests", dependencies: ["FulcrumProxy"]),
        .testTarget(name: "FulcrumDaemonTests", dependencies: ["FulcrumDaemon"]),
        // Starts the real binary; depends on it so `swift test` builds it first.
        // FulcrumHTTP2 for its cross-check against Python's hpack and h2.
        .testTarget(name: "IntegrationTests", dependencies: ["fulcrum", "FulcrumHTTP2", "FulcrumHTTP"]),
    ],
    swiftLanguageModes: [.v5]
)
