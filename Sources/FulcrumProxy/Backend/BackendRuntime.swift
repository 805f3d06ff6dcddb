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
        /// `maxconn` and `minconn` as HAProxy settles them (DynamicMaxconn.settle).
        var maxconn: Int
        var minconn: Int
        /// `maxqueue`: requests that may wait for this very server; 0: unlimited.
        var maxqueue: Int
        var name: String
        /// `send-proxy` (1) / `send-proxy-v2` (2); 0: none.
        var sendProxy: Int
        var proxyV2Options = ProxyV2Options()
        /// `source ... [usesrc ...]` (the server's, else the backend's).
        var source: SourceBinding?
        var poolMaxConn: Int
        /// The table's address sequence this entry's address was read at.
        var addressSequence: UInt64 = 0
        /// `redir PREFIX` (ServerRedirect).
        var redirectPrefix: [UInt8]? = nil
        /// `tfo` (Socket.setFastOpenConnect).
        var fastOpen = false
        /// `socks4 ADDR:PORT`, resolved: new connections go there first (StreamSOCKS4).
        var socks4: SocketAddress? = nil
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
    var slowstart: [Int]
    /// `retry-on`, compiled.
    let retryOn: RetryConditions
    /// `cookie` value per server (persistence), read by every request of a backend with `cookie`.
    private(set) var serverCookies: [String?]
    /// `dynamic-cookie-key` and `cookie ... dynamic`, as the runtime API
    /// last set them (`set dynamic-cookie-key`, `enable|disable dynamic-cookie`).
    var dynamicCookieKey: String?
    var dynamicCookies: Bool
    /// Configured servers; the entries after them are spare slots `add server` fills.
    let configuredCount: Int
    /// Entries the balancer looks at: the configured ones and up to the last filled spare.
    var liveCount: Int
    /// The backend's server-set word as last read (`add server` / `del server` bump it).
    var serverSetSeen: UInt64 = 0
    /// Per spare: the addition (its `addedOrder`) the entry was built from.
    var spareBuiltFrom: [UInt64]
    /// Told each server an added slot now holds (table line, definition):
    /// the engine builds its TLS context there.
    var serverDefined: ((Int, Server) -> Void)?

    var properties: BalanceProperties { balancer.properties }

    init(index: Int, config: Backend, firstLine: Int, addresses: [SocketAddress], spares: Int = 0) {
        self.index = index
        self.config = config
        retryOn = RetryConditions(config.http.retryOn)
        var entries: [ServerEntry] = []
        var members: [Balancer.Member] = []
        for (i, s) in config.servers.enumerated() {
            let limits = DynamicMaxconn.settle(maxconn: s.params.maxconn, minconn: s.params.minconn)
            entries.append(ServerEntry(tableLine: firstLine + i, address: addresses[i], useClientPort: s.port == nil && s.unix == nil,
                                       useClientAddress: s.unix == nil && (s.host == "0.0.0.0" || s.host == "::"),
                                       maxconn: limits.maxconn, minconn: limits.minconn, maxqueue: s.params.maxqueue,
                                       name: s.name, sendProxy: s.params.sendProxy, proxyV2Options: s.params.proxyV2Options,
                                       source: s.params.source ?? config.source, poolMaxConn: s.params.poolMaxConn))
            members.append(Balancer.Member(weight: s.params.weight, backup: s.params.backup, maxconn: limits.maxconn))
            entries[i].redirectPrefix = s.params.redirectPrefix.map { Array($0.utf8) }
            entries[i].fastOpen = s.params.fastOpen
            entries[i].socks4 = s.params.socks4.flatMap { SocketAddress.resolve(host: $0.host, port: $0.port) }
        }
        let unset = SocketAddress(.v4(.any), port: 0)
        for k in 0..<spares {
            entries.append(ServerEntry(tableLine: firstLine + config.servers.count + k, address: unset, useClientPort: false,
                                       useClientAddress: false, maxconn: 0, minconn: 0, maxqueue: 0, name: "",
                                       sendProxy: 0, source: config.source, poolMaxConn: -1))
            members.append(Balancer.Member(weight: 1, backup: false, maxconn: 0))
        }
        servers = entries
        configuredCount = config.servers.count
        liveCount = config.servers.count
        spareBuiltFrom = Array(repeating: 0, count: spares)
        let none = Array(repeating: false, count: spares)
        observesLayer4 = config.servers.map { $0.params.observe == .layer4 } + none
        observesLayer7 = config.servers.map { $0.params.observe == .layer7 } + none
        slowstart = config.servers.map { $0.params.slowstart ?? 0 } + Array(repeating: 0, count: spares)
        serverCookies = config.servers.map { $0.params.cookie } + Array(repeating: nil, count: spares)
        dynamicCookieKey = config.http.dynamicCookieKey
        dynamicCookies = config.http.cookie?.dynamic ?? false
        balancer = Balancer(algorithm: config.balance, hashType: config.hashType, members: members, allBackups: config.allBackups)
        for i in configuredCount..<entries.count { balancer.observe(i, usable: false, weight: 0) }
        refreshDynamicCookies()
    }

    /// `cookie ... dynamic`: each configured server without a `cookie` value
    /// gets DynamicCookie's value of the current key (none when dynamic
    /// cookies are off or no key is set), as HAProxy's srv_set_dyncookie.
    func refreshDynamicCookies() {
        for (i, s) in config.servers.enumerated() where s.params.cookie == nil {
            if dynamicCookies, let key = dynamicCookieKey, s.unix == nil, !servers[i].address.isUnix {
                serverCookies[i] = DynamicCookie.value(key: key, address: servers[i].address.ipAddress, port: s.port ?? 0)
            } else {
                serverCookies[i] = nil
            }
        }
    }

    /// A runtime dynamic-cookie command, applied to this worker's copy.
    func apply(_ command: DynamicCookieCommand) {
        switch command {
        case .setKey(_, let key): dynamicCookieKey = key
        case .enable: dynamicCookies = true
        case .disable: dynamicCookies = false
        }
        refreshDynamicCookies()
    }


    /// Re-reads the spare slots after `add server` / `del server` changed
    /// the backend's server set: a filled slot becomes a server (parsed from
    /// its definition, as every process does), a freed one stays out of
    /// balancing (its admin word holds it in maintenance).
    func refreshSlots(_ table: SharedTable) {
        serverSetSeen = table.backend(index, .serverSet).loadAcquiring()
        var live = configuredCount
        for k in 0..<spareBuiltFrom.count {
            let i = configuredCount + k, line = servers[i].tableLine
            guard table.slot(line) == .dynamic else {
                balancer.observe(i, usable: false, weight: 0)
                continue
            }
            live = i + 1
            let order = table.server(line, .addedOrder).load()
            guard order != spareBuiltFrom[k],
                  case .success(let sv) = DynamicServer.parse(table.definition(line), mode: config.mode) else { continue }
            spareBuiltFrom[k] = order
            let limits = DynamicMaxconn.settle(maxconn: sv.params.maxconn, minconn: sv.params.minconn)
            servers[i].name = sv.name
            servers[i].maxconn = limits.maxconn
            servers[i].minconn = limits.minconn
            servers[i].maxqueue = sv.params.maxqueue
            servers[i].poolMaxConn = sv.params.poolMaxConn
            servers[i].sendProxy = sv.params.sendProxy
            servers[i].proxyV2Options = sv.params.proxyV2Options
            servers[i].source = sv.params.source ?? config.source
            servers[i].fastOpen = sv.params.fastOpen
            servers[i].socks4 = sv.params.socks4.flatMap { SocketAddress.resolve(host: $0.host, port: $0.port) }
            servers[i].addressSequence = 0
            refreshAddress(i, table)
            slowstart[i] = sv.params.slowstart ?? 0
            serverDefined?(line, sv)
            balancer.redefine(i, backup: sv.params.backup, maxconn: limits.maxconn)
        }
        liveCount = live
    }

    /// Follows `set server addr` (and a dynamic server's address): re-reads
    /// the address when the table's sequence moved. One load otherwise.
    /// Returns true when it changed.
    @inline(__always) @discardableResult
    func refreshAddress(_ i: Int, _ table: SharedTable) -> Bool {
        let line = servers[i].tableLine
        let sequence = table.addressSequence(line)
        guard sequence != servers[i].addressSequence else { return false }
        servers[i].addressSequence = sequence
        guard let a = table.serverAddress(line) else { return false }
        servers[i].address = SocketAddress(a.ip, port: a.port)
        servers[i].useClientPort = a.port == 0
        // `set server addr 0.0.0.0` (or a dynamic server added so) forwards to
        // the client's destination, as a configured `0.0.0.0` server does.
        switch a.ip {
        case .v4(let v): servers[i].useClientAddress = v.value == 0
        case .v6(let v): servers[i].useClientAddress = v.high == 0 && v.low == 0
        }
        return true
    }

    /// The hash key of a session under this backend's algorithm, or nil: not
    /// a hash algorithm, or the request lacks the key (`request` is nil in
    /// mode tcp), so the balancer falls back to round robin.
    @inline(__always)
    /// The request head comes through a closure: reading it out of its box
    /// copies it, which only the algorithms hashing it should pay.
    func hashKey(peer: SocketAddress, request: () -> HTTPHead?) -> UInt32? {
        switch properties.hashKey {
        case .none:
            return nil
        case .sourceAddress:
            return peer.withAddressBytes { balancer.hashKey(sourceAddress: $0) }
        case .request(let part):
            guard let request = request() else { return nil }
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
        if table.backend(index, .serverSet).load() != serverSetSeen { refreshSlots(table) }
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
        guard conns.reserve(limit: connectionLimit(i, sinceUp: sinceUp(i, table: table, now: now), table: table)) else { return false }
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

    /// maxconn of server `i` (dynamic with `minconn`: it follows the
    /// backend's load up to `fullconn`), grown from 1 while slowstart ramps
    /// it; 0 = none.
    @inline(__always)
    private func connectionLimit(_ i: Int, sinceUp: Int64?, table: SharedTable) -> Int {
        var limit = servers[i].maxconn, minconn = servers[i].minconn
        // `set maxconn server`: a static maxconn (minconn equal) moves both, as HAProxy's.
        if let set = table.serverMaxconnSetting(servers[i].tableLine) {
            if minconn == limit { minconn = Int(set) }
            limit = Int(set)
        }
        if minconn != limit {
            limit = DynamicMaxconn.limit(maxconn: limit, minconn: minconn, fullconn: config.fullconn,
                                         backendLoad: Int(table.backend(index, .conns).load()))
        }
        guard let sinceUp else { return limit }
        return SlowStart.connectionLimit(maxconn: limit, sinceUp: sinceUp, slowstart: slowstart[i])
    }

    /// Requests waiting for server `i` itself, in every worker (its qcur).
    func serverQueueLength(_ i: Int, table: SharedTable) -> Int {
        var total: UInt64 = 0
        for w in 0..<table.workers { total &+= table.serverCounter(worker: w, server: servers[i].tableLine, .queued).load() }
        return Int(total)
    }

    /// Pushes each server's usability and effective weight into the balancer.
    /// Returns whether any server is up but full (so a failed pick should
    /// queue, not fail). `keepsFull`: full servers stay usable.
    @inline(__always)
    private func observe(_ table: SharedTable, now: Int64, keepsFull: Bool) -> Bool {
        var someFull = false
        let dynamicWeights = properties.dynamicWeights
        for i in 0..<liveCount {
            let line = servers[i].tableLine
            let ramp = sinceUp(i, table: table, now: now)
            // Maintenance and drain both stop new traffic (drain keeps what runs).
            var up = table.serverTakesTraffic(line)
            // A spare slot's entry serves only the addition it was built from.
            if up && i >= configuredCount && table.server(line, .addedOrder).load() != spareBuiltFrom[i - configuredCount] { up = false }
            var usable = up
            let limit = connectionLimit(i, sinceUp: ramp, table: table)
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
