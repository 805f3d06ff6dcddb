/// What HAProxy 2.6 gives an `external-check command` program (extcheck.c):
/// the arguments <proxy_address> <proxy_port> <server_address> <server_port>
/// and an environment holding only the HAPROXY_* variables and PATH (from
/// `external-check path`, empty by default), unless `external-check
/// preserve-env` keeps the process's own. Pure: the checker fills the inputs.
public struct ExternalCheckCommand: Equatable, Sendable {
    public struct Inputs: Equatable, Sendable {
        public var proxyName: String
        public var proxyID: Int
        /// The proxy's first listener (address, port); nil without one,
        /// which HAProxy passes as "NOT_USED" arguments and empty variables.
        /// A unix listener is (path, nil).
        public var listener: (address: String, port: Int?)?
        public var serverName: String
        public var serverID: Int
        public var serverAddress: String
        /// nil for a unix-socket server ("NOT_USED").
        public var serverPort: Int?
        public var serverMaxconn: Int
        public var serverCurrentConnections: Int
        /// HAPROXY_SERVER_PROTO as HAProxy names the server's transport.
        public var serverProtocol: String
        public var serverSSL: Bool
        public var path: String

        public init(proxyName: String, proxyID: Int, listener: (address: String, port: Int?)?, serverName: String,
                    serverID: Int, serverAddress: String, serverPort: Int?, serverMaxconn: Int,
                    serverCurrentConnections: Int, serverProtocol: String = "tcp", serverSSL: Bool = false, path: String) {
            self.proxyName = proxyName; self.proxyID = proxyID; self.listener = listener
            self.serverName = serverName; self.serverID = serverID; self.serverAddress = serverAddress
            self.serverPort = serverPort; self.serverMaxconn = serverMaxconn
            self.serverCurrentConnections = serverCurrentConnections; self.serverProtocol = serverProtocol
            self.serverSSL = serverSSL; self.path = path
        }

        public static func == (a: Inputs, b: Inputs) -> Bool {
            a.proxyName == b.proxyName && a.proxyID == b.proxyID && a.listener?.address == b.listener?.address
                && a.listener?.port == b.listener?.port && a.serverName == b.serverName && a.serverID == b.serverID
                && a.serverAddress == b.serverAddress && a.serverPort == b.serverPort && a.serverMaxconn == b.serverMaxconn
                && a.serverCurrentConnections == b.serverCurrentConnections && a.serverProtocol == b.serverProtocol
                && a.serverSSL == b.serverSSL && a.path == b.path
        }
    }

    public static let notUsed = "NOT_USED"

    /// argv[1...]: the command itself is argv[0].
    public static func arguments(_ i: Inputs) -> [String] {
        let proxy: [String]
        if let l = i.listener { proxy = [l.address, l.port.map(String.init) ?? notUsed] } else { proxy = [notUsed, notUsed] }
        return proxy + [i.serverAddress, i.serverPort.map(String.init) ?? notUsed]
    }

    /// "NAME=value" entries; `inherited` is the process's environment when
    /// `preserve-env` asks for it (HAProxy's variables override it).
    public static func environment(_ i: Inputs, inherited: [String] = []) -> [String] {
        let own: [(String, String)] = [
            ("PATH", i.path),
            ("HAPROXY_PROXY_NAME", i.proxyName),
            ("HAPROXY_PROXY_ID", String(i.proxyID)),
            ("HAPROXY_PROXY_ADDR", i.listener?.address ?? ""),
            ("HAPROXY_PROXY_PORT", i.listener.flatMap { $0.port.map(String.init) } ?? ""),
            ("HAPROXY_SERVER_ADDR", i.serverAddress),
            ("HAPROXY_SERVER_PORT", i.serverPort.map(String.init) ?? ""),
            ("HAPROXY_SERVER_NAME", i.serverName),
            ("HAPROXY_SERVER_ID", String(i.serverID)),
            ("HAPROXY_SERVER_MAXCONN", String(i.serverMaxconn)),
            ("HAPROXY_SERVER_CURCONN", String(i.serverCurrentConnections)),
            ("HAPROXY_SERVER_PROTO", i.serverProtocol),
            ("HAPROXY_SERVER_SSL", i.serverSSL ? "1" : "0"),
        ]
        let names = Set(own.map { $0.0 })
        let kept = inherited.filter { entry in
            guard let eq = entry.firstIndex(of: "=") else { return false }
            return !names.contains(String(entry[..<eq]))
        }
        return kept + own.map { "\($0.0)=\($0.1)" }
    }
}
