/// `set server`, `add server` and `del server`: HAProxy 2.6's syntax checks
/// and texts, in its order (the server is looked up later, by `RuntimeCLI`).
extension RuntimeCommand {
    static let setServerUsage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | "
        + "check-addr | check-port | fqdn | health | ssl | state | weight\n"

    static func parseSetServer(_ args: [String]) -> Result<RuntimeCommand, RuntimeError> {
        let ref: (String, String)
        switch serverReference(args.first) {
        case .failure(let e): return .failure(e)
        case .success(let r): ref = r
        }
        let value = args.count > 2 ? args[2] : ""
        let option = args.count > 1 ? args[1] : ""
        switch option {
        case "state":
            guard let s = ServerAdminState(rawValue: value) else {
                return .failure(.message("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n"))
            }
            return .success(.setServerState(backend: ref.0, server: ref.1, state: s))
        case "health":
            guard let h = ServerHealth(rawValue: value) else {
                return .failure(.message("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n"))
            }
            return .success(.setServerHealth(backend: ref.0, server: ref.1, health: h))
        case "weight":
            return .success(.setWeight(backend: ref.0, server: ref.1, weight: value))
        case "addr":
            // HAProxy checks the address word only after finding the server.
            let port: String? = args.count > 3 && args[3] == "port" ? (args.count > 4 ? args[4] : "") : nil
            return .success(.setServerAddress(backend: ref.0, server: ref.1, address: value, port: port))
        case "check-port":
            return .success(.setServerCheckPort(backend: ref.0, server: ref.1, port: value))
        case "check-addr":
            let port: String? = args.count > 3 && args[3] == "port" ? (args.count > 4 ? args[4] : "") : nil
            return .success(.setServerCheckAddress(backend: ref.0, server: ref.1, address: value, port: port))
        case "agent", "agent-port", "agent-send":
            return .success(.setServerAgent(backend: ref.0, server: ref.1, option: option, value: value))
        case "agent-addr":
            // "ADDR [port P]" travels as one value.
            return .success(.setServerAgent(backend: ref.0, server: ref.1, option: option,
                                            value: args.dropFirst(2).joined(separator: " ")))
        case "ssl":
            return .success(.setServerSSL(backend: ref.0, server: ref.1, value: value))
        case "fqdn":
            return .success(.setServerFQDN(backend: ref.0, server: ref.1, name: value))
        default:
            return .failure(.message(setServerUsage))
        }
    }

    /// `add server`'s own reference check: an empty server name is refused too, without a newline.
    static func parseAddServer(_ args: [String]) -> Result<RuntimeCommand, RuntimeError> {
        guard let word = args.first, let slash = word.firstIndex(of: "/"), word.index(after: slash) != word.endIndex else {
            return .failure(.message("Require 'backend/server'."))
        }
        return .success(.addServer(backend: String(word[..<slash]), server: String(word[word.index(after: slash)...]),
                                   arguments: Array(args.dropFirst())))
    }

    static func parseDeleteServer(_ args: [String]) -> Result<RuntimeCommand, RuntimeError> {
        guard let word = args.first, let slash = word.firstIndex(of: "/") else {
            return .failure(.message("Require 'backend/server'."))
        }
        return .success(.deleteServer(backend: String(word[..<slash]), server: String(word[word.index(after: slash)...])))
    }
}
