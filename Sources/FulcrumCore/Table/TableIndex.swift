import FulcrumConfig

/// Numbering shared by every process of a generation: which table line
/// belongs to which server and bind. All derive it from the same
/// configuration, so nothing has to be sent.
public struct TableIndex: Sendable {
    /// First server line of each backend.
    public let firstServer: [Int]
    public let serverCount: Int
    /// First bind line of each frontend.
    public let firstBind: [Int]
    public let bindCount: Int
    public let frontendCount: Int
    public let backendCount: Int
    /// Configured servers, then spare slots, of each backend: `add server`
    /// fills a spare (HAProxy allocates; a shared table is sized at load).
    public let configuredServers: [Int]
    public let spareServers: [Int]

    /// Spare slots per backend whose algorithm takes dynamic servers.
    public static let sparesPerBackend = 32

    public init(_ c: Configuration) {
        var fs: [Int] = [], n = 0
        var configured: [Int] = [], spares: [Int] = []
        for b in c.backends {
            fs.append(n)
            let k = TableIndex.acceptsDynamicServers(b) ? TableIndex.sparesPerBackend : 0
            configured.append(b.servers.count); spares.append(k)
            n += b.servers.count + k
        }
        firstServer = fs; serverCount = n
        configuredServers = configured; spareServers = spares
        var fb: [Int] = [], m = 0
        for f in c.frontends { fb.append(m); m += f.binds.count }
        firstBind = fb; bindCount = m
        frontendCount = c.frontends.count
        backendCount = c.backends.count
    }

    public func bindLine(frontend: Int, bind: Int) -> Int { firstBind[frontend] + bind }
    public func serverLine(backend: Int, server: Int) -> Int { firstServer[backend] + server }
    /// Every line of a backend: its configured servers, then its spare slots.
    public func serverLines(backend: Int) -> Range<Int> {
        firstServer[backend] ..< firstServer[backend] + configuredServers[backend] + spareServers[backend]
    }
    /// The spare slots of a backend.
    public func spareLines(backend: Int) -> Range<Int> {
        firstServer[backend] + configuredServers[backend] ..< serverLines(backend: backend).upperBound
    }

    /// HAProxy's BE_LB_PROP_DYN: the algorithms that take servers at run
    /// time (roundrobin, leastconn, first, random, consistent hashing).
    public static func acceptsDynamicServers(_ b: Backend) -> Bool {
        BalanceProperties(algorithm: b.balance, hashType: b.hashType).dynamicWeights
    }

    /// The table and, after it, the agent checks' region (`AgentTable`).
    public func tableSize(workers: Int) -> Int {
        SharedTable.byteSize(servers: serverCount, frontends: frontendCount, binds: bindCount,
                             backends: backendCount, workers: workers) + AgentTable.byteSize(servers: serverCount)
    }
}
