import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// A worker's live view of one backend: its servers' addresses and table
/// lines, the balancer, and the queue of sessions waiting for a free server.
final class BackendRuntime {
    struct ServerEntry {
        var tableLine: Int
        var address: SocketAddress
        var useClientPort: Bool
        var maxconn: Int
        var name: String
    }

    let index: Int
    let config: Backend
    let balancer: Balancer
    var servers: [ServerEntry]
    /// Hash algorithms keep a client on its server even when it is full (it
    /// waits in the queue); the others route around full servers.
    let stickyHash: Bool
    var queue = SessionQueue()
    /// `observe layer4` per server: connect failures feed the checker.
    let observesLayer4: [Bool]
    /// `observe layer7` (mode http): invalid responses and 5xx feed it too.
    let observesLayer7: [Bool]
    /// `slowstart` per server in ms (0: none), and whether the algorithm uses it.
    let slowstart: [Int]
    let dynamicWeights: Bool
    /// `cookie` value per server (persistence), read by every request of a backend with `cookie`.
    let serverCookies: [String?]

    init(index: Int, config: Backend, firstLine: Int, addresses: [SocketAddress]) {
        self.index = index
        self.config = config
        var entries: [ServerEntry] = []
        var members: [Balancer.Member] = []
        for (i, s) in config.servers.enumerated() {
            entries.append(ServerEntry(tableLine: firstLine + i, address: addresses[i], useClientPort: s.port == nil,
                                       maxconn: s.params.maxconn, name: s.name))
            members.append(Balancer.Member(weight: s.params.weight, backup: s.params.backup, maxconn: s.params.maxconn))
        }
        servers = entries
        observesLayer4 = config.servers.map { $0.params.observe == .layer4 }
        observesLayer7 = config.servers.map { $0.params.observe == .layer7 }
        slowstart = config.servers.map { $0.params.slowstart ?? 0 }
        serverCookies = config.servers.map { $0.params.cookie }
        // HAProxy applies slowstart to dynamic algorithms only.
        switch config.balance {
        case .roundRobin, .leastConn, .random: dynamicWeights = true
        default: dynamicWeights = false
        }
        balancer = Balancer(algorithm: config.balance, hashType: config.hashType, members: members, allBackups: config.allBackups)
        if case .source = config.balance { stickyHash = true } else { stickyHash = false }
    }

    /// Feeds the balancer the live state from the shared table. Returns whether
    /// any server is up but full (so a failed pick should queue, not fail).
    @inline(__always)
    func observe(_ table: SharedTable, now: Int64) -> Bool {
        var someFull = false
        for i in 0..<servers.count {
            let line = servers[i].tableLine
            // Maintenance and drain both stop new traffic (drain keeps what runs).
            let up = table.serverTakesTraffic(line)
            var usable = up
            let maxconn = servers[i].maxconn
            if up && maxconn > 0 && table.server(line, .conns).load() >= UInt64(maxconn) {
                someFull = true
                if !stickyHash { usable = false }
            }
            var weight = Int(table.server(line, .weight).load())
            if dynamicWeights {
                // Dynamic algorithms balance in 1/16 weight steps (HAProxy's
                // BE_WEIGHT_SCALE) so that slowstart can ramp even a weight-1
                // server; upSince 0 means it was never seen down.
                let upSince = slowstart[i] > 0 ? Int64(table.server(line, .upSince).load()) : 0
                weight = upSince > 0
                    ? SlowStart.scaledWeight(userWeight: weight, sinceUp: now - upSince, slowstart: slowstart[i])
                    : weight * SlowStart.weightScale
            }
            balancer.observe(i, usable: usable, weight: weight)
        }
        return someFull
    }
}

/// FIFO of waiting sessions (slot index + generation), a ring buffer that
/// grows but never shrinks, so queueing does not allocate in steady state.
struct SessionQueue {
    private var items: [UInt64] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func push(_ token: UInt64) {
        if count == items.count {
            let old = items
            items = [UInt64](repeating: 0, count: max(16, old.count * 2))
            for i in 0..<count { items[i] = old[(head + i) % old.count] }
            head = 0
        }
        items[(head + count) % items.count] = token
        count += 1
    }
    mutating func pop() -> UInt64? {
        guard count > 0 else { return nil }
        let t = items[head]
        head = (head + 1) % items.count
        count -= 1
        return t
    }
    func peek() -> UInt64? { count > 0 ? items[head] : nil }
}
