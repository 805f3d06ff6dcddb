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

    public init(_ c: Configuration) {
        var fs: [Int] = [], n = 0
        for b in c.backends { fs.append(n); n += b.servers.count }
        firstServer = fs; serverCount = n
        var fb: [Int] = [], m = 0
        for f in c.frontends { fb.append(m); m += f.binds.count }
        firstBind = fb; bindCount = m
        frontendCount = c.frontends.count
        backendCount = c.backends.count
    }

    public func bindLine(frontend: Int, bind: Int) -> Int { firstBind[frontend] + bind }
    public func serverLine(backend: Int, server: Int) -> Int { firstServer[backend] + server }

    public func tableSize(workers: Int) -> Int {
        SharedTable.byteSize(servers: serverCount, frontends: frontendCount, binds: bindCount,
                             backends: backendCount, workers: workers)
    }
}
