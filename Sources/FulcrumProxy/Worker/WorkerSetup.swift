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
        /// The slot of the sibling worker whose socket this is
        /// (tune.listener.multi-queue), nil for this worker's own: watched
        /// with EPOLLEXCLUSIVE, taken from only when the owner is busier.
        public var ownerSlot: Int?
        public init(fd: FileDescriptor, frontend: Int, bindLine: Int, ownerSlot: Int? = nil) {
            self.fd = fd; self.frontend = frontend; self.bindLine = bindLine; self.ownerSlot = ownerSlot
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
    /// Per frontend: `errorfile` responses (status → bytes), read by the daemon.
    public var errorFiles: [[Int: [UInt8]]] = []
    /// Per backend: its own `errorfile` responses.
    public var backendErrorFiles: [[Int: [UInt8]]] = []
    /// Compiled mode-http rules per frontend and backend (nil: tcp proxy).
    public var frontendRules: [HTTPCompiledRules?] = []
    public var backendRules: [HTTPCompiledRules?] = []
    /// Compiled mode-tcp content inspection and use_backend per frontend and
    /// backend (nil: none).
    public var frontendTCPRules: [TCPCompiledRules?] = []
    public var backendTCPRules: [TCPCompiledRules?] = []
    public var backendTCPResponseRules: [TCPCompiledRules?] = []
    /// Compiled `tcp-request connection` rules per frontend (nil: none).
    public var frontendConnectionRules: [TCPConnectionCompiledRules?] = []
    public var frontendSessionRules: [TCPConnectionCompiledRules?] = []
    public var backendServerRules: [ServerRulesCompiled?] = []
    /// Compiled log formats per frontend (nil: it logs nothing).
    public var frontendLogs: [CompiledProxyLog?] = []
    /// `-d`: each logged line also goes to stderr, raw.
    public var logLinesToStderr = false
    /// Per bind line (the table's numbering): the TLS contexts of `bind ... ssl`.
    public var bindTLS: [TLSBindContexts?] = []
    /// Per server (the table's numbering): its TLS when spoken to over TLS.
    public var serverTLS: [TLSServerContext?] = []
    /// The `cache` sections' region the master made (nil: no cache section).
    public var httpCaches: HTTPCacheRegion? = nil
    /// The stick tables in their shared regions (nil: the configuration has none).
    public var stickTables: StickTableSet? = nil
    /// Per backend: its `stick on|match|store-*` rules (nil: none).
    public var backendStickRules: [StickCompiledRules?] = []

    public init(configuration: Configuration, slot: Int, control: FileDescriptor, table: SharedTable,
                listeners: [Listener], serverAddresses: [[SocketAddress]]) {
        self.configuration = configuration; self.slot = slot; self.control = control
        self.table = table; self.listeners = listeners; self.serverAddresses = serverAddresses
    }
}
