import Glibc
import XCTest

/// Issue 17's scale case: 100,000 keep-alive client connections, each
/// after one request, held at once over two workers, against HAProxy 2.6
/// (`nbthread 2`) holding the same, PSS summed over every process of each
/// (IdleConnectionMemory, as IdleConnectionMemoryTests at 5,000
/// connections and one worker). The target is no more than
/// HAProxy; `maximumRatio` is what holds now, with margin.
///
/// What so many connections need is made here, and local to the test: a
/// network namespace of its own (PrivateNetworkNamespace) whose
/// `ip_local_port_range`, `somaxconn` and SYN backlog are raised, clients
/// spread over four loopback source addresses and the proxies' backend
/// connections over four server addresses of one nginx (a destination
/// offers one ephemeral range of source ports: 35,536 here), and
/// RLIMIT_NOFILE raised for the test and what it starts (raising the hard
/// limit needs CAP_SYS_RESOURCE). Where the descriptor limit cannot be
/// raised, it measures at the count the hard limit allows and says so (the
/// ratio asserted is projected to 100,000 either way); it skips, saying
/// why, when that is too few or the namespace cannot be made.
/// `FULCRUM_SCALE_CONNECTIONS=N` measures at another count.
final class ScaleConnectionMemoryTests: XCTestCase {
    static let requestedConnections = getenv("FULCRUM_SCALE_CONNECTIONS").flatMap { Int(String(cString: $0)) } ?? 100_000
    /// Descriptors the busiest process needs: haproxy's (HAProxy's maxsock,
    /// which it sets itself: two a connection up to maxconn, and its own).
    static func descriptors(_ connections: Int) -> Int { (connections + 1000) * 2 + 1000 }
    /// Where the hard limit cannot be raised: the most connections it allows
    /// (in thousands), measured instead of skipping, since the ratio asserted
    /// is projected to 100,000 anyway; below `fewestConnections` the fixed
    /// part would drown the slope, and the test skips.
    static func connectionsTheHardLimitAllows() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_max < rlim_t(Int.max) else { return 0 }
        return ((Int(limit.rlim_max) - 1000) / 2 - 1000) / 1000 * 1000
    }
    static let fewestConnections = 4000
    /// Issue 17 asks for at most HAProxy's PSS (1.0) at 100,000 connections:
    /// the ratio asserted is of what each would hold there (`projectedTo`:
    /// idle PSS plus the per-connection slope measured at `connections`,
    /// which at 100,000 is the held PSS itself), so a machine that cannot
    /// hold so many (RLIMIT_NOFILE) still measures issue 17's figure. At
    /// 8,000 connections a held connection costs Fulcrum 610-680 bytes and
    /// haproxy 1,120-1,130 (per connection 0.54-0.60x; 1,410 and 1.25x before
    /// the HTTP transaction was lent per exchange and the stream slot
    /// narrowed); projected to 100,000 that is 0.64-0.68 (1.29 before). The
    /// whole held PSS at 8,000 is 1.04-1.25x haproxy's (1.46-1.55 before):
    /// there the fixed part weighs, Fulcrum's master and two workers idle at
    /// 13-17.6 MB, haproxy at 7.5-10.7 (both move with what else runs: shared
    /// pages are split among their users). At 2,000 the per connection ratio
    /// is 0.61-0.76, projected 0.70-0.81.
    static let maximumRatio = 0.85
    static let projectedConnections = 100_000
    static let maximumPerConnectionRatio = 0.85
    static let maximumReturnAbove = 0.10
    static let clientSources = (2...5).map { "127.0.0.\($0)" }
    static let serverAddresses = (1...4).map { "127.0.0.\($0)" }
    /// Per namespace: the ports below 30000 stay for FreePort's listeners.
    static let sysctls = [("net.ipv4.ip_local_port_range", "30000 65535"), ("net.core.somaxconn", "65535"),
                          ("net.ipv4.tcp_max_syn_backlog", "65535"), ("net.ipv4.tcp_tw_reuse", "1")]

    func testHundredThousandKeepAliveConnectionsOverTwoWorkersCostAtMostHAProxy() throws {
        try requireRoot("a network namespace with raised sysctls and a descriptor limit above the default")
        let haproxyPath = try requireTool("haproxy")
        // Inherited by everything the test starts.
        var connections = Self.requestedConnections
        do {
            try ProcessMemory.allowOpenFiles(Self.descriptors(connections))
        } catch {
            let allowed = min(connections, Self.connectionsTheHardLimitAllows())
            let why = "cannot raise RLIMIT_NOFILE to \(Self.descriptors(connections)) for \(connections) connections "
                + "(raising the hard limit needs CAP_SYS_RESOURCE): \(error)"
            guard allowed >= Self.fewestConnections else { throw XCTSkip(why + "; the hard limit allows \(allowed)") }
            print(why + "; measuring at \(allowed) connections, the ratio projected to \(Self.projectedConnections)")
            connections = allowed
            try ProcessMemory.allowOpenFiles(Self.descriptors(connections))
        }
        let memory = IdleConnectionMemory(connections: connections, sources: Self.clientSources)
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
                           maximumReturnAbove: Self.maximumReturnAbove, projectedTo: Self.projectedConnections)
    }
}
