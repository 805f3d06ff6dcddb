import FulcrumBytes

/// What a runtime command changes in a server's agent check.
public enum AgentOrder: Sendable, Equatable {
    case enable, disable
    /// `set server agent up|down`: the agent's health, and the server's state.
    case health(up: Bool)
    case address(IPAddress?, port: Int?)
    case send(String)
}

/// `enable|disable agent` and `set server <b>/<s> agent|agent-addr|agent-port|agent-send`:
/// HAProxy 2.6's checks and texts, in its order.
extension RuntimeCLI {
    static func agentCommand(_ sv: RuntimeSnapshot.Server, option: String, value: String) -> RuntimeReply {
        let b = sv.backendName, n = sv.name
        func order(_ o: AgentOrder, _ answer: String = "") -> RuntimeReply { .agent(backend: b, server: n, order: o, answer: answer) }
        let enabled = sv.agent?.enabled ?? false
        switch option {
        case "enable":
            guard sv.agent != nil else { return .text("Agent was not configured on this server, cannot enable.\n") }
            return order(.enable)
        case "disable":
            return sv.agent == nil ? .text("") : order(.disable)
        case "agent":
            guard enabled else { return .text("agent checks are not enabled on this server.\n") }
            switch value {
            case "up": return order(.health(up: true))
            case "down": return order(.health(up: false))
            default: return .text("'set server <srv> agent' expects 'up' or 'down'.\n")
            }
        case "agent-send":
            guard enabled else { return .text("agent checks are not enabled on this server.\n") }
            return order(.send(value))
        case "agent-addr", "agent-port":
            let words = value.split(separator: " ").map(String.init)
            guard let first = words.first, !first.isEmpty else {
                return .text(option == "agent-addr"
                             ? "set server <b>/<s> agent-addr requires an address and optionally a port.\n"
                             : "set server <b>/<s> agent-port requires a port.\n")
            }
            guard sv.agent != nil else { return .text("agent checks are not enabled on this server") }
            var address: IPAddress? = nil
            var portText: String? = nil
            if option == "agent-addr" {
                guard let a = IPAddress(first) else { return .text("invalid addr '\(first)'") }
                address = a
                if words.count > 1, words[1] == "port" { portText = words.count > 2 ? words[2] : "" }
            } else {
                portText = first
            }
            var port: Int? = nil
            if let portText {
                guard let p = Int(portText) else { return .text("provided port is not an integer") }
                guard (0...65535).contains(p) else { return .text("provided port is invalid") }
                port = p
            }
            return order(.address(address, port: port))
        default:
            return .text("")
        }
    }
}
