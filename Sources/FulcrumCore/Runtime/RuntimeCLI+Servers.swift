import FulcrumBytes
import FulcrumConfig

/// `set server ... addr|check-port|agent*|ssl|fqdn`, `add server` and `del
/// server`: HAProxy 2.6's checks, in its order, and its texts (some end
/// without a newline, as HAProxy's cli_err() strings there do).
extension RuntimeCLI {
    static let updater = " by 'stats socket command'\n"

    static func respondServers(_ command: RuntimeCommand, snapshot s: RuntimeSnapshot) -> RuntimeReply {
        switch command {
        case .addServer(let b, let n, let arguments):
            return addServer(backend: b, name: n, arguments: arguments, snapshot: s)
        case .deleteServer(let b, let n):
            guard s.backend(named: b) != nil else { return .text("No such backend.") }
            guard let sv = s.server(b, n) else { return .text("No such server.") }
            guard sv.admin.inMaintenance else { return .text("Only servers in maintenance mode can be deleted.") }
            guard sv.counters.sessionsCurrent == 0 && sv.idleConnections == 0 else {
                return .text("Server still has connections attached to it, cannot remove it.")
            }
            guard sv.counters.queueCurrent == 0 else { return .text("Server still has entries in its queue, cannot remove it.") }
            return .deleteServer(backend: b, server: n)
        default:
            break
        }
        let b: String, n: String
        switch command {
        case .setServerAddress(let x, let y, _, _), .setServerCheckPort(let x, let y, _), .setServerAgent(let x, let y, _, _),
             .setServerCheckAddress(let x, let y, _, _),
             .setServerSSL(let x, let y, _), .setServerFQDN(let x, let y, _):
            (b, n) = (x, y)
        default:
            return .text("")
        }
        guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
        switch command {
        case .setServerAddress(_, _, let address, let port):
            guard !address.isEmpty else { return .text("set server <b>/<s> addr requires an address and optionally a port.\n") }
            return addressChange(sv, address: address, port: port)
        case .setServerCheckPort(_, _, let text):
            guard !text.isEmpty else { return .text("set server <b>/<s> check-port requires a port.\n") }
            guard sv.check != nil else { return .text("health checks are not enabled on this server") }
            guard let port = Int(text) else { return .text("provided port is not an integer") }
            guard (0...65535).contains(port) else { return .text("provided port is invalid") }
            return .setCheckPort(backend: b, server: n, port: port)
        case .setServerAgent(_, _, let option, let value):
            return agentCommand(sv, option: option, value: value)
        case .setServerSSL(_, _, let value):
            if sv.dynamic { return .text("'set server <srv> ssl' not supported on dynamic servers\n") }
            guard sv.sslConfigured else {
                return .text("'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n")
            }
            guard value == "on" || value == "off" else { return .text("'set server <srv> ssl' expects 'on' or 'off'.\n") }
            return .setSSL(backend: b, server: n, on: value == "on")
        case .setServerCheckAddress(_, _, let address, let port):
            guard !address.isEmpty else {
                return .text("set server <b>/<s> check-addr requires an address and optionally a port.\n")
            }
            guard sv.check != nil else { return .text("health checks are not enabled on this server") }
            guard let ip = IPAddress(address) else { return .text("invalid addr '\(address)'") }
            var checkPort: Int? = nil
            if let port {
                guard let p = Int(port) else { return .text("provided port is not an integer") }
                guard (0...65535).contains(p) else { return .text("provided port is invalid") }
                checkPort = p
            }
            return .setCheckAddress(backend: b, server: n, address: ip, port: checkPort)
        case .setServerFQDN(_, _, let name):
            guard !name.isEmpty else { return .text("set server <b>/<s> fqdn requires a FQDN.\n") }
            return .text("set server <b>/<s> fqdn failed because no resolution is configured.\n")
        default:
            return .text("")
        }
    }

    /// srv_update_addr_port(): what changes and HAProxy's sentence saying so.
    /// An IP that changed stays changed when the port is refused.
    static func addressChange(_ sv: RuntimeSnapshot.Server, address: String, port: String?) -> RuntimeReply {
        guard let ip = IPAddress(address) else { return .text("Invalid addr '\(address)'" + updater) }
        var target = TableServerAddress(ip: IPAddress(sv.address) ?? ip, port: sv.port)
        var message: String
        if IPAddress(sv.address) == ip {
            message = "no need to change the addr"
        } else {
            message = "IP changed from '\(sv.address)' to '\(address)'"
            target.ip = ip
        }
        if let port {
            var text = Substring(port)
            message += ", "
            let sign = text.first == "+" || text.first == "-"
            if sign { text = text.dropFirst() }
            if sign {
                message += "can't change <port> to port map because it is incompatible with current health check port "
                    + "configuration (use 'port' statement from the 'server' directive."
            } else if let value = Int(text) {
                let newPort = value & 0xFFFF
                if newPort != sv.port {
                    // A server without a port maps the client's (HAProxy's SRV_F_MAPPORTS, "+0").
                    message += "port changed from '\(sv.port == 0 ? "+" : "")\(sv.port)' to '\(newPort)'"
                    target.port = newPort
                } else {
                    message += "no need to change the port"
                }
            } else {
                message += "problem converting port '\(text)' to an int"
            }
        }
        return .setAddress(backend: sv.backendName, server: sv.name, address: target, answer: message + updater)
    }

    /// cli_parse_add_server()'s checks; the slot is the caller's.
    static func addServer(backend b: String, name: String, arguments: [String], snapshot s: RuntimeSnapshot) -> RuntimeReply {
        guard let proxy = s.backend(named: b), let be = proxy.backend else { return .text("No such backend.") }
        guard be.dynamicWeights else { return .text("Backend must use a dynamic load balancing to support dynamic servers.") }
        let definition = DynamicServer.definition(name: name, arguments: arguments)
        let server: Server
        switch DynamicServer.parse(definition, mode: ProxyMode(rawValue: proxy.mode) ?? .tcp) {
        case .failure(let refusal): return .text(refusal.message)
        case .success(let sv): server = sv
        }
        if s.server(b, name) != nil { return .text("Already exists a server with the same name in backend.\n") }
        return .addServer(backend: b, server: server, definition: definition)
    }
}
