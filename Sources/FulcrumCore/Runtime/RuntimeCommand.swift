/// Access level of a CLI session (HAProxy's `level user|operator|admin`).
public enum RuntimeLevel: Int, Comparable, Sendable, CaseIterable {
    case user = 0, operator_ = 1, admin = 2

    public static func < (a: RuntimeLevel, b: RuntimeLevel) -> Bool { a.rawValue < b.rawValue }

    /// The word `show cli level` prints and `stats socket ... level` takes.
    public var name: String {
        switch self {
        case .user: return "user"
        case .operator_: return "operator"
        case .admin: return "admin"
        }
    }
}

/// Output format of `show stat` and `show info`.
public enum StatFormat: Sendable, Equatable { case csv, typed, json }

/// `show stat`'s `[{<iid>|<proxy>} <type> <sid>]` as typed: the proxy word is
/// resolved against a snapshot later (HAProxy: a name first, else atoi, and 0
/// means "No such proxy.").
public struct StatScope: Sendable, Equatable {
    public var proxy: String
    public var type: Int
    public var sid: Int
    public init(proxy: String, type: Int, sid: Int) { self.proxy = proxy; self.type = type; self.sid = sid }
}

/// Which server rows `show stat` prints (`up` / `no-maint`).
public enum StatServerVisibility: Sendable, Equatable { case all, upOnly, noMaintenance }

/// `disable|enable|shutdown frontend <name>`.
public enum FrontendAction: String, Sendable { case disable, enable, shutdown }

/// A frontend's state as the runtime API set it, kept in the shared table so
/// every worker (and one respawned later) follows it.
public enum FrontendAdminState: UInt64, Sendable {
    /// Accepting (HAProxy: OPEN).
    case open = 0
    /// `disable frontend`: its sockets refuse connections until enabled (PAUSED).
    case paused = 1
    /// `shutdown frontend`: stopped for good in this generation (STOP).
    case stopped = 2
}

/// `set server <b>/<s> state ...`
public enum ServerAdminState: String, Sendable { case ready, drain, maint }
/// `set server <b>/<s> health ...`
public enum ServerHealth: String, Sendable { case up, stopping, down }

/// One parsed CLI command. Server references stay as typed (`backend`,
/// `server`) and weights as their raw string: HAProxy resolves the server
/// before it validates the weight, and `RuntimeCLI` keeps that order.
public enum RuntimeCommand: Equatable, Sendable {
    case help(topic: [String])
    case prompt
    case quit
    /// `operator` / `user`: lowers the session's level.
    case lowerLevel(RuntimeLevel)
    /// `set timeout cli <seconds>`: the session's idle timeout.
    case setCLITimeout(seconds: Int)
    case showCLILevel
    /// `show cli sockets`: the stats sockets, their levels.
    case showCLISockets
    /// `show env [NAME]`.
    case showEnv(name: String?)
    case showVersion
    case showInfo(format: StatFormat)
    case showStat(format: StatFormat, scope: StatScope?, visibility: StatServerVisibility)
    case showServersState(backend: String?)
    case showServersConn(backend: String?)
    case showBackend
    case getWeight(backend: String, server: String)
    /// `set weight` and `set server ... weight`.
    case setWeight(backend: String, server: String, weight: String)
    case setServerState(backend: String, server: String, state: ServerAdminState)
    case setServerHealth(backend: String, server: String, health: ServerHealth)
    case disableServer(backend: String, server: String)
    case enableServer(backend: String, server: String)
    case disableHealth(backend: String, server: String)
    case enableHealth(backend: String, server: String)
    /// `set server <b>/<s> addr <ip> [port <port>]`: `port` nil without the word.
    case setServerAddress(backend: String, server: String, address: String, port: String?)
    /// `set server <b>/<s> check-port <port>`.
    case setServerCheckPort(backend: String, server: String, port: String)
    /// `set server <b>/<s> agent|agent-addr|agent-port|agent-send ...`, and
    /// `enable agent` / `disable agent` (option "enable" / "disable"):
    /// the agent check's runtime settings (RuntimeCLI+Agent.swift).
    case setServerAgent(backend: String, server: String, option: String, value: String)
    /// `set server <b>/<s> check-addr <ip> [port <port>]`.
    case setServerCheckAddress(backend: String, server: String, address: String, port: String?)
    /// `set server <b>/<s> ssl on|off`.
    case setServerSSL(backend: String, server: String, value: String)
    /// `set server <b>/<s> fqdn <name>`.
    case setServerFQDN(backend: String, server: String, name: String)
    /// `add server <b>/<s> <addr> [keywords]`: the words after the reference.
    case addServer(backend: String, server: String, arguments: [String])
    /// `del server <b>/<s>`.
    case deleteServer(backend: String, server: String)
    /// `clear counters`: maxima only; `clear counters all`: every counter.
    case clearCounters(all: Bool)
    /// `shutdown sessions server <bk>/<srv>`: kill the streams on a server.
    case shutdownSessions(backend: String, server: String)
    /// `disable|enable|shutdown frontend <name>`.
    case frontendAdmin(frontend: String, action: FrontendAction)
    /// `set maxconn frontend <name> <value>` (name nil: `set maxconn global <value>`), as typed.
    case setMaxconn(frontend: String?, value: String?)
    /// `set maxconn server <bk>/<srv> <value>`, the value as typed.
    case setServerMaxconn(backend: String, server: String, value: String)
    /// `show sess [ID|all]` and `shutdown session ID`: answered by the
    /// workers, which hold the streams (the id as typed; nil: none given).
    case showSessions(id: String?)
    case shutdownSession(id: String?)
    /// `show errors [<px>] [request|response]`: gathered from the workers, the arguments as typed.
    case showErrors(arguments: [String])
    /// `show activity` / `show pools`: every worker's loop and buffer figures.
    case showActivity, showPools
    /// `set rate-limit <setting> global <value>`, as typed.
    case setRateLimit(setting: String, value: String?)
    /// Master CLI only.
    case showProc
    case reload

    /// The least level that may run the command (HAProxy 2.6's checks).
    public var requiredLevel: RuntimeLevel {
        switch self {
        case .help, .prompt, .quit, .lowerLevel(.user), .setCLITimeout, .showActivity, .showPools, .showCLILevel, .showCLISockets, .showVersion, .showInfo, .showStat,
             .showServersState, .showServersConn, .showBackend, .getWeight, .showProc:
            return .user
        case .lowerLevel(.operator_), .clearCounters(all: false), .reload, .showEnv, .showSessions, .showErrors:
            return .operator_
        case .lowerLevel(.admin), .clearCounters(all: true), .setWeight, .setServerState, .setServerHealth,
             .disableServer, .enableServer, .disableHealth, .enableHealth, .shutdownSessions, .frontendAdmin, .setMaxconn, .setServerMaxconn, .setRateLimit, .shutdownSession,
             .setServerAddress, .setServerCheckPort, .setServerAgent, .setServerSSL, .setServerFQDN, .addServer, .deleteServer,
             .setServerCheckAddress:
            return .admin
        }
    }

    /// Parses one command (no `;`) as an admin of a worker would: syntax only.
    public static func parse(_ line: String) -> Result<RuntimeCommand, RuntimeError> {
        parse(words: RuntimeCommandLine.words(line), level: .admin, master: false)
    }

    /// Parses one command's words for a session at `level`, on the master CLI
    /// or a worker's. As HAProxy, a known keyword above the session's level
    /// answers "Permission denied" before its arguments are looked at.
    public static func parse(words: [String], level: RuntimeLevel, master: Bool) -> Result<RuntimeCommand, RuntimeError> {
        guard let first = words.first else { return .failure(.unknownCommand(words: [])) }
        if first == "help" { return .success(.help(topic: Array(words.dropFirst()))) }
        if first == "prompt" { return .success(.prompt) }
        if first == "quit" { return .success(.quit) }
        guard let keyword = RuntimeKeyword.find(words, master: master) else {
            return .failure(.unknownCommand(words: words))
        }
        if level < keyword.level { return .failure(.permissionDenied) }
        let args = Array(words.dropFirst(keyword.words.count))
        let command: RuntimeCommand
        switch keyword.words.joined(separator: " ") {
        case "operator": command = .lowerLevel(.operator_)
        case "user": command = .lowerLevel(.user)
        case "show cli level": command = .showCLILevel
        case "show cli sockets": command = .showCLISockets
        case "show env": command = .showEnv(name: args.first)
        case "set timeout":
            // HAProxy's checks and texts, in its order.
            guard args.first == "cli" else { return .failure(.message("'set timeout' only supports 'cli'.\n")) }
            guard args.count > 1 else { return .failure(.message("Expects an integer value.\n")) }
            guard let seconds = Int(args[1]), seconds >= 0 else { return .failure(.message("Invalid timeout value.\n")) }
            command = .setCLITimeout(seconds: seconds)
        case "show version": command = .showVersion
        case "show proc": command = .showProc
        case "reload": command = .reload
        case "show backend": command = .showBackend
        case "show servers state": command = .showServersState(backend: args.first)
        case "show servers conn": command = .showServersConn(backend: args.first)
        case "show info":
            var format = StatFormat.csv
            for word in args {
                switch word {
                case "typed": format = .typed
                case "json": format = .json
                default: return .failure(.message("'show info' accepts 'json' and 'typed' only, not '\(word)'.\n"))
                }
            }
            command = .showInfo(format: format)
        case "show stat": return parseShowStat(args)
        case "get weight":
            return serverReference(args.first).map { .getWeight(backend: $0.0, server: $0.1) }
        case "set weight":
            return serverReference(args.first).map { .setWeight(backend: $0.0, server: $0.1, weight: args.count > 1 ? args[1] : "") }
        case "set server": return parseSetServer(args)
        case "add server": return parseAddServer(args)
        case "del server": return parseDeleteServer(args)
        case "disable server":
            return serverReference(args.first).map { .disableServer(backend: $0.0, server: $0.1) }
        case "enable server":
            return serverReference(args.first).map { .enableServer(backend: $0.0, server: $0.1) }
        case "disable health":
            return serverReference(args.first).map { .disableHealth(backend: $0.0, server: $0.1) }
        case "enable agent", "disable agent":
            let option = keyword.words[0]
            return serverReference(args.first).map { .setServerAgent(backend: $0.0, server: $0.1, option: option, value: "") }
        case "enable health":
            return serverReference(args.first).map { .enableHealth(backend: $0.0, server: $0.1) }
        case "set maxconn frontend":
            guard let name = args.first else { return .failure(.message("A frontend name is expected.\n")) }
            command = .setMaxconn(frontend: name, value: args.count > 1 ? args[1] : nil)
        case "set maxconn server":
            return serverReference(args.first).map { .setServerMaxconn(backend: $0.0, server: $0.1, value: args.count > 1 ? args[1] : "") }
        case "show sess": command = .showSessions(id: args.first)
        case "show errors": command = .showErrors(arguments: args)
        case "show activity": command = .showActivity
        case "show pools": command = .showPools
        case "shutdown session": command = .shutdownSession(id: args.first)
        case "set rate-limit":
            let usage = "'set rate-limit' only supports :\n"
                + "   - 'connections global' to set the per-process maximum connection rate\n"
                + "   - 'sessions global' to set the per-process maximum session rate\n"
                + "   - 'ssl-sessions global' to set the per-process maximum SSL session rate\n"
                + "   - 'http-compression global' to set the per-process maximum compression speed in kB/s\n"
            guard args.count >= 2, ["connections", "sessions", "ssl-sessions", "http-compression"].contains(args[0]),
                  args[1] == "global" else { return .failure(.message(usage)) }
            command = .setRateLimit(setting: args[0], value: args.count > 2 ? args[2] : nil)
        case "set maxconn global":
            command = .setMaxconn(frontend: nil, value: args.first)
        case "disable frontend", "enable frontend", "shutdown frontend":
            guard let name = args.first else { return .failure(.message("A frontend name is expected.\n")) }
            command = .frontendAdmin(frontend: name, action: FrontendAction(rawValue: keyword.words[0])!)
        case "shutdown sessions server":
            return serverReference(args.first).map { .shutdownSessions(backend: $0.0, server: $0.1) }
        case "clear counters":
            if args.isEmpty { command = .clearCounters(all: false) }
            else if args == ["all"] { command = .clearCounters(all: true) }
            else { return .failure(.message("'clear counters' accepts only 'all'.\n")) }
        default:
            return .failure(.unknownCommand(words: words))
        }
        if level < command.requiredLevel { return .failure(.permissionDenied) }
        return .success(command)
    }

    /// `backend/server`, HAProxy's cli_find_server() syntax check.
    static func serverReference(_ word: String?) -> Result<(String, String), RuntimeError> {
        guard let word, let slash = word.firstIndex(of: "/") else {
            return .failure(.message("Require 'backend/server'.\n"))
        }
        return .success((String(word[..<slash]), String(word[word.index(after: slash)...])))
    }

    static func parseShowStat(_ args: [String]) -> Result<RuntimeCommand, RuntimeError> {
        var rest = args[...]
        var scope: StatScope?
        // HAProxy takes the three scope words only when all three are present.
        if args.count >= 3, !statOptions.contains(args[0]) {
            scope = StatScope(proxy: args[0], type: RuntimeCommandLine.atoi(args[1]), sid: RuntimeCommandLine.atoi(args[2]))
            rest = args.dropFirst(3)
        }
        var format = StatFormat.csv
        var visibility = StatServerVisibility.all
        for word in rest {
            switch word {
            case "typed": format = .typed
            case "json": format = .json
            case "up": visibility = .upOnly
            case "no-maint": visibility = .noMaintenance
            default:
                return .failure(.message("'show stat' expects [{<iid>|<proxy>} <type> <sid>] then any of 'json', 'typed', 'up', 'no-maint', not '\(word)'.\n"))
            }
        }
        return .success(.showStat(format: format, scope: scope, visibility: visibility))
    }
    static let statOptions: Set<String> = ["typed", "json", "up", "no-maint"]
}

/// Why a command produced no result, with HAProxy's text.
public enum RuntimeError: Error, Equatable, Sendable {
    case permissionDenied
    /// No keyword matches; the text (a help listing) depends on the session.
    case unknownCommand(words: [String])
    /// Any other message, newline included where HAProxy prints one.
    case message(String)

    /// The body to send (without the CLI's end-of-response newline).
    public func text(level: RuntimeLevel, master: Bool) -> String {
        switch self {
        case .permissionDenied: return "Permission denied\n"
        case .unknownCommand(let words): return RuntimeHelp.usage(words: words, help: false, master: master)
        case .message(let m): return m
        }
    }
}
