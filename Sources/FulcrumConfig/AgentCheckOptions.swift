/// The server options of agent checks, with HAProxy 2.6's messages.
extension ParseSession {
    /// `agent-port`, `agent-inter`, `agent-addr`, `agent-send`: nil when the
    /// value is good, else the message.
    func agentOption(_ keyword: String, _ value: String, into agent: inout AgentCheckParams) -> String? {
        switch keyword {
        case "agent-port":
            guard let p = Int(value), (1...65535).contains(p) else {
                return "'agent-port' expects a port number between 1 and 65535 (got '\(value)')"
            }
            agent.port = p
        case "agent-inter":
            guard case .success(let ms) = ValueParsers.milliseconds(value, for: keyword), ms > 0 else {
                return "'agent-inter' expects a delay as argument."
            }
            agent.inter = ms
        case "agent-addr":
            var text = value
            if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
            guard !text.isEmpty, !text.contains("@"), !text.hasPrefix("/") else {
                return "parsing agent-addr failed. Check if '\(value)' is correct address."
            }
            agent.address = text
        default:
            agent.send = value
        }
        return nil
    }

    /// HAProxy refuses `agent-check` without `agent-port` (it would disable the check).
    mutating func agentHasPort(_ params: ServerParams, server: String, at loc: SourceLocation) -> Bool {
        guard params.agent.enabled, params.agent.port == nil else { return true }
        alert(loc, "server \(server) does not have agent port. Agent check has been disabled.")
        return false
    }
}
