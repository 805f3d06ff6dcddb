import Glibc
import XCTest

/// Issue 17's scale case: 100,000 keep-alive client connections, each
/// after one request, held at once over two workers, against HAProxy 2.6
/// (`nbthread 2`) holding the same, PSS summed over every process of each
/// (IdleConnectionMemory, as IdleConnectionMemoryTests at 5,000
/// connections and one worker). The target is no more than
/// HAProxy; `maximumRatio` says what is asserted at a count.
///
/// What so many connections need is made here, and local to the test: a
/// network namespace of its own (PrivateNetworkNamespace) whose
/// `ip_local_port_range`, `somaxconn` and SYN backlog are raised, clients
/// spread over four loopback source addresses and the proxies' backend
/// connections over four server addresses of one nginx (a destination
/// offers one ephemeral range of source ports: 35,536 here), and
/// RLIMIT_NOFILE raised for the test and what it starts (raising the hard
/// limit needs CAP_SYS_RESOURCE). When a limit cannot be raised the test
/// skips and says which. `FULCRUM_SCALE_CONNECTIONS=N` measures at another
/// count (a machine whose limit cannot be raised still measures the ratio at
/// what it allows).
final class ScaleConnectionMemoryTests: XCTestCase {
    static let connections = getenv("FULCRUM_SCALE_CONNECTIONS").flatMap { Int(String(cString: $0)) } ?? 100_000
    /// Descriptors the busiest process needs: haproxy's (HAProxy's maxsock,
    /// which it sets itself: two a connection up to maxconn, and its own).
    static var descriptors: Int { (connections + 1000) * 2 + 1000 }
    /// Issue 17 asks for at most HAProxy's PSS (1.0), which is the bound
    /// from 50,000 connections on. Measured at 8,000 connections: a held
    /// connection costs Fulcrum about 610-680 bytes and haproxy 1,120-1,130
    /// (per connection 0.54-0.60x; 1,410 and 1.25x before the HTTP
    /// transaction was lent per exchange and the stream slot narrowed), the
    /// whole held PSS 1.04-1.25x haproxy's (1.55 before): Fulcrum's master
    /// and two workers idle at 13-16 MB, haproxy at 7.5-9. Extrapolated to
    /// 100,000 connections that is 0.66-0.68 (1.29 before). Below 50,000 the
    /// fixed part weighs more: 1.35 holds from 5,000; at 2,000 the ratio is
    /// 1.34-1.44 (the per connection one 0.61-0.76), bounded at 1.5.
    static var maximumRatio: Double { connections >= 50_000 ? 1.0 : connections >= 5000 ? 1.35 : 1.5 }
    static let maximumPerConnectionRatio = 0.85
    static let maximumReturnAbove = 0.10
    static let clientSources = (2...5).map { "127.0.0.\($0)" }
    static let serverAddresses = (1...4).map { "127.0.0.\($0)" }
    /// Per namespace: the ports below 30000 stay for FreePort's listeners.
    static let sysctls = [("net.ipv4.ip_local_port_range", "30000 65535"), ("net.core.somaxconn", "65535"),
                          ("net.ipv4.tcp_max_syn_backlog", "65535"), ("net.ipv4.tcp_tw_reuse", "1")]
    private let memory = IdleConnectionMemory(connections: ScaleConnectionMemoryTests.connections,
                                              sources: ScaleConnectionMemoryTests.clientSources)

    func testHundredThousandKeepAliveConnectionsOverTwoWorkersCostAtMostHAProxy() throws {
        try requireRoot("a network namespace with raised sysctls and a descriptor limit above the default")
        let haproxyPath = try requireTool("haproxy")
        // Inherited by everything the test starts.
        do {
            try ProcessMemory.allowOpenFiles(Self.descriptors)
        } catch {
            throw XCTSkip("cannot raise RLIMIT_NOFILE to \(Self.descriptors) for \(Self.connections) connections "
                          + "(raising the hard limit needs CAP_SYS_RESOURCE): \(error)")
        }
        // Built (or found) before the namespace: the build needs nothing of it.
        let binary = try FulcrumReleaseBinary.path()
        let namespace: PrivateNetworkNamespace
        do {
            namespace = try PrivateNetworkNamespace(prefix: "scale", sysctls: Self.sysctls)
        } catch {
            throw XCTSkip("cannot make a network namespace with the sysctls 100,000 connections need: \(error)")
        }
        addTeardownBlock { namespace.destroy() }
        try namespace.enter()

        let nginx = try memory.startNginx(self, addresses: Self.serverAddresses)
        try memory.compare(self, haproxy: haproxyPath, fulcrum: binary, processes: 2,
                           servers: Self.serverAddresses.map { ($0, nginx.port) },
                           maximumRatio: Self.maximumRatio,
                           maximumPerConnectionRatio: Self.maximumPerConnectionRatio,
                           maximumReturnAbove: Self.maximumReturnAbove)
    }
}
