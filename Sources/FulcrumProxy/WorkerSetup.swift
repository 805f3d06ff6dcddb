import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Everything a worker process is handed by the master: the parsed
/// configuration, its slot, its sockets and the shared table. Built by the
/// daemon's worker role from inherited descriptors.
public struct WorkerSetup {
    /// One listening socket this worker accepts on.
    public struct Listener {
        public var fd: FileDescriptor
        public var frontend: Int       // index into configuration.frontends
        public var bindLine: Int       // index of the bind line, for bind maxconn
        public init(fd: FileDescriptor, frontend: Int, bindLine: Int) {
            self.fd = fd; self.frontend = frontend; self.bindLine = bindLine
        }
    }

    public var configuration: Configuration
    public var slot: Int
    public var control: FileDescriptor
    public var table: SharedTable
    public var listeners: [Listener]
    /// Per backend, per server: the resolved address (port 0 when the server
    /// line has no port and the client's destination port is used).
    public var serverAddresses: [[SocketAddress]]

    public init(configuration: Configuration, slot: Int, control: FileDescriptor, table: SharedTable,
                listeners: [Listener], serverAddresses: [[SocketAddress]]) {
        self.configuration = configuration; self.slot = slot; self.control = control
        self.table = table; self.listeners = listeners; self.serverAddresses = serverAddresses
    }
}

/// Numbering shared by the master and the workers: which table line belongs to
/// which server and bind. Both sides derive it from the same configuration, so
/// nothing has to be sent.
public struct TableIndex {
    /// First server line of each backend.
    public let firstServer: [Int]
    public let serverCount: Int
    /// First bind line of each frontend (bind lines are counted after frontends).
    public let firstBind: [Int]
    public let bindCount: Int

    public init(_ c: Configuration) {
        var fs: [Int] = [], n = 0
        for b in c.backends { fs.append(n); n += b.servers.count }
        firstServer = fs; serverCount = n
        var fb: [Int] = [], m = 0
        for f in c.frontends { fb.append(m); m += f.binds.count }
        firstBind = fb; bindCount = m
    }

    /// Frontend lines hold the frontends followed by their bind lines.
    public var frontendLines: Int
    { firstBind.count + bindCount }
    public func bindLine(frontend: Int, bind: Int) -> Int { firstBind.count + firstBind[frontend] + bind }
}
