import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// A worker's live view of one backend: its servers' addresses and table
/// lines, the balancer, and the queue of sessions waiting for a free server.
/// Both the TCP and the HTTP path choose a server here (`hashKey`, then
/// `chooseServer`, then `reserveSlot`), as the algorithm's
/// `BalanceProperties` say.
final class BackendRuntime {
    struct ServerEntry {
        var tableLine: Int
        var address: SocketAddress
        var useClientPort: Bool
        /// `server NAME 0.0.0.0` (or `::`): connects to the address the
        /// client connected to, as changed by `set-dst` (HAProxy's
        /// "no address": transparent forwarding to the original destination).
        var useClientAddress: Bool
        var maxconn: Int
        var name: String
    }

    /// A server choice: a member index, every candidate full (queue the
    /// session), or no usable server at all.
    enum ServerChoice: Equatable {
        case server(Int)
        case full
        case noServer
    }

    let index: Int
    let config: Backend
    let balancer: Balancer
    var servers: [ServerEntry]
    var queue = SessionQueue()
    /// `observe layer4` per server: connect failures feed the checker.
    let observesLayer4: [Bool]
    /// `observe layer7` (mode http): invalid responses and 5xx feed it too.
    let observesLayer7: [Bool]
    /// `slowstart` per server in ms (0: none).
    let slowstart: [Int]
    /// `cookie` value per server (persistence), read by every request of a backend with `cookie`.
    let serverCookies: [String?]

    var properties: BalanceProperties { balancer.properties }

    init(index: Int, config: Backend, firstLine: Int, addresses: [SocketAddress]) {
        self.index = index
        self.config = config
        var entries: [ServerEntry] = []
        var members: [Balancer.Member] = []
        for (i, s) in config.servers.enumerated() {
            entries.append(ServerEntry(tableLine: firstLine + i, address: addresses[i], useClientPort: s.port == nil,
                                       useClientAddress: s.host == "0.0.0.0" || s.host == "::",
                                       maxconn: s.params.maxconn, name: s.name))
            members.append(Balancer.Member(weight: s.params.weight, backup: s.params.backup, maxconn: s.params.maxconn))
        }
        servers = entries
        observesLayer4 = config.servers.map { $0.params.observe == .layer4 }
        observesLayer7 = config.servers.map { $0.params.observe == .layer7 }
        slowstart = config.servers.map { $0.params.slowstart ?? 0 }
        serverCookies = config.servers.map { $0.params.cookie }
        balancer = Balancer(algorithm: config.balance, hashType: config.hashType, members: members, allBackups: config.allBackups)
    }

    /// The hash key of a session under this backend's algorithm, or nil: not
    /// a hash algorithm, or the request lacks the key (`request` is nil in
    /// mode tcp), so the balancer falls back to round robin.
    @inline(__always)
    func hashKey(peer: SocketAddress, request: HTTPHead?) -> UInt32? {
        switch properties.hashKey {
        case .none:
            return nil
        case .sourceAddress:
            return peer.withAddressBytes { balancer.hashKey(sourceAddress: $0) }
        case .request(let part):
            guard let request else { return nil }
            return HTTPBalanceKey.key(part, hashType: config.hashType, head: request)
        }
    }

    /// Feeds the balancer the live state from the shared table and picks a
    /// server. A full server stays a candidate when the algorithm queues on
    /// the server its key names (`FullServerPolicy.queue`, with a key); the
    /// caller's `reserveSlot` then fails and the session waits for it.
    /// Otherwise full servers are routed around, and `.full` means all were.
    func chooseServer(hashKey key: UInt32?, excluding: Int?, table: SharedTable, now: Int64) -> ServerChoice {
        let keepsFull: Bool
        switch properties.fullServer {
        case .queue: keepsFull = key != nil
        case .routeAround: keepsFull = false
        }
        let someFull = observe(table, now: now, keepsFull: keepsFull)
        guard let i = balancer.pick(hashKey: key, excluding: excluding, load: { i in
            Int(table.server(self.servers[i].tableLine, .conns).load())
        }) else { return someFull ? .full : .noServer }
        return .server(i)
    }

    /// Takes a connection slot on server `i` unless it is at its connection
    /// limit (maxconn, ramped by slowstart); records the highest count seen.
    func reserveSlot(_ i: Int, table: SharedTable, now: Int64) -> Bool {
        let line = servers[i].tableLine
        let conns = table.server(line, .conns)
        guard conns.reserve(limit: connectionLimit(i, sinceUp: sinceUp(i, table: table, now: now))) else { return false }
        table.server(line, .maxConns).raise(to: conns.load())
        return true
    }

    /// Milliseconds since server `i` came back UP, or nil when slowstart
    /// cannot apply (no slowstart, or never seen DOWN: upSince 0).
    @inline(__always)
    private func sinceUp(_ i: Int, table: SharedTable, now: Int64) -> Int64? {
        guard slowstart[i] > 0 else { return nil }
        let upSince = Int64(table.server(servers[i].tableLine, .upSince).load())
        return upSince > 0 ? now - upSince : nil
    }

    /// maxconn of server `i`, grown from 1 while slowstart ramps it; 0 = none.
    @inline(__always)
    private func connectionLimit(_ i: Int, sinceUp: Int64?) -> Int {
        guard let sinceUp else { return servers[i].maxconn }
        return SlowStart.connectionLimit(maxconn: servers[i].maxconn, sinceUp: sinceUp, slowstart: slowstart[i])
    }

    /// Pushes each server's usability and effective weight into the balancer.
    /// Returns whether any server is up but full (so a failed pick should
    /// queue, not fail). `keepsFull`: full servers stay usable.
    @inline(__always)
    private func observe(_ table: SharedTable, now: Int64, keepsFull: Bool) -> Bool {
        var someFull = false
        let dynamicWeights = properties.dynamicWeights
        for i in 0..<servers.count {
            let line = servers[i].tableLine
            let ramp = sinceUp(i, table: table, now: now)
            // Maintenance and drain both stop new traffic (drain keeps what runs).
            let up = table.serverTakesTraffic(line)
            var usable = up
            let limit = connectionLimit(i, sinceUp: ramp)
            if up && limit > 0 && table.server(line, .conns).load() >= UInt64(limit) {
                someFull = true
                if !keepsFull { usable = false }
            }
            // Balancer weights are in 1/16 steps (HAProxy's BE_WEIGHT_SCALE),
            // so that slowstart can ramp even a weight-1 server. Static
            // algorithms only see whether it is 0.
            let weight = Int(table.server(line, .weight).load())
            var effective = weight * SlowStart.weightScale
            if dynamicWeights, let ramp {
                effective = SlowStart.scaledWeight(userWeight: weight, sinceUp: ramp, slowstart: slowstart[i])
            }
            balancer.observe(i, usable: usable, weight: effective)
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
