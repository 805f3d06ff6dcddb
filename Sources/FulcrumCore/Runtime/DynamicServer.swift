import FulcrumConfig

/// A server added at run time (`add server`): its definition is the text of
/// the command's arguments, kept in the shared table so that every process
/// reads the same server from it with the configuration's own parser.
/// HAProxy 2.6 ignores `default-server` for dynamic servers; so does this.
public enum DynamicServer {
    /// Why a definition is refused: the CLI's answer.
    public struct Refusal: Error, Equatable {
        public var message: String
        init(_ message: String) { self.message = message }
    }

    /// Keywords HAProxy refuses on a dynamic server, and those Fulcrum cannot
    /// apply to a server that appears at run time (cookies and observe are
    /// set up at load): "'X' option is not accepted for dynamic server".
    /// TLS options are taken: every worker builds the server's context when
    /// it reads the slot (`TLSServerContext`), the checker likewise.
    static let refused: Set<String> = [
        "cookie", "observe", "error-limit", "on-error", "redir", "init-addr", "resolvers", "resolve-prefer",
        "resolve-net", "resolve-opts", "track",
        // Agent checks run for configured servers only (their targets are made at load).
        "agent-check",
    ]

    /// The definition text stored in the table: name, address, keywords.
    public static func definition(name: String, arguments: [String]) -> String {
        ([name] + arguments).joined(separator: " ")
    }

    /// Parses a definition (as stored) for a backend in `mode`; the message
    /// is HAProxy's where it has one, else the configuration parser's.
    public static func parse(_ definition: String, mode: ProxyMode) -> Result<Server, DynamicServer.Refusal> {
        let words = definition.split(separator: " ").map(String.init)
        guard words.count >= 2 else {
            return .failure(Refusal("'server' expects <name> and <addr>[:<port>] as arguments.\n"))
        }
        var i = 2
        while i < words.count {
            let w = words[i]
            if refused.contains(w) {
                return .failure(Refusal("'\(w)' option is not accepted for dynamic server\n"))
            }
            i += 1
        }
        // The configuration's `ssl-server-verify` is not this text's: the
        // master checks verification against it (`RuntimeService.addServer`).
        let text = "backend dynamic\n    mode \(mode.rawValue)\n    server \(definition)\n"
        let result = ConfigParser.parse([ConfigSource(name: "cli", text: text)], environment: [:], tls: .workers, serverVerifyNone: true)
        if let alert = result.diagnostics.first(where: { $0.severity == .alert }) {
            return .failure(Refusal(cliMessage(alert.message, name: words[0])))
        }
        guard let server = result.configuration.backends.first?.servers.first else {
            return .failure(Refusal("'server' expects <name> and <addr>[:<port>] as arguments.\n"))
        }
        return .success(server)
    }

    /// The parser's message in HAProxy's CLI words where they differ from
    /// its configuration words (parse_server() answering the CLI).
    static func cliMessage(_ message: String, name: String) -> String {
        if message.hasPrefix("unknown server option '"), let end = message.dropFirst(23).firstIndex(of: "'") {
            return "unknown keyword '\(message.dropFirst(23)[..<end])'.\n"
        }
        if message.hasPrefix("weight "), message.hasSuffix(" is not within 0 and 256") {
            let value = message.dropFirst(7).prefix { $0 != " " }
            return "weight of server \(name) is not within 0 and 256 (\(value))..\n"
        }
        return message + "\n"
    }
}
