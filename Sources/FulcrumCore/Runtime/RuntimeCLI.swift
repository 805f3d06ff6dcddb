import FulcrumBytes
import FulcrumConfig

/// What the caller must do for one command: the answer text, plus an action
/// for commands that change state or the session.
public enum RuntimeReply: Sendable, Equatable {
    /// Send this text.
    case text(String)
    /// Write this server state to the shared table, then send an empty answer.
    case change(RuntimeServerChange)
    /// Lower the session's level, then send an empty answer.
    case setLevel(RuntimeLevel)
    /// Toggle interactive (prompt) mode.
    case togglePrompt
    /// Close the session.
    case quit
    /// Set the session's idle timeout (`set timeout cli`).
    case setTimeout(milliseconds: Int64)
    /// Clear the maxima (`all`: every counter), then send an empty answer.
    case clearCounters(all: Bool)
    /// Kill the streams on this server (every worker), then send an empty answer.
    case shutdownSessions(backend: String, server: String)
    /// Store a maxconn (a frontend's; nil: the global one; 0 there: back to
    /// the configuration's), then send an empty answer.
    case setMaxconn(frontend: Int?, value: Int)
    /// Store a server's maxconn (HAProxy's C int, as unsigned), then send an empty answer.
    case setServerMaxconn(backend: String, server: String, value: UInt32)
    /// Store a global connection (else session) rate limit, then send an empty answer.
    case setRateLimit(connections: Bool, value: Int)
    /// Change a frontend's state (its sockets, every worker), then send an empty answer.
    case frontendAdmin(frontend: Int, action: FrontendAction)
    /// `show sess` / `shutdown session`: for the workers, which hold the streams.
    case workerSessions(RuntimeCommand)
    /// Write this run-time address, then send `answer`.
    case setAddress(backend: String, server: String, address: TableServerAddress, answer: String)
    /// `enable|disable agent`, `set server agent|agent-addr|agent-port|agent-send`:
    /// write it, then send `answer`.
    case agent(backend: String, server: String, order: AgentOrder, answer: String)
    /// `set server check-port`: write it, then send an empty answer.
    case setCheckPort(backend: String, server: String, port: Int)
    /// `set server check-addr IP [port P]`: write them, then send an empty answer.
    case setCheckAddress(backend: String, server: String, address: IPAddress, port: Int?)
    /// `set server ssl on|off`: write it, close idle connections, then send "server ssl setting updated.".
    case setSSL(backend: String, server: String, on: Bool)
    /// `add server`: the caller takes a spare slot (or answers why not).
    case addServer(backend: String, server: Server, definition: String)
    /// `del server`: the caller frees the server's slot, then answers "Server deleted.".
    case deleteServer(backend: String, server: String)
    /// Master: reload.
    case reload
    /// Master: answer with `RuntimeFormat.showProc` of the current processes.
    case showProc
}

/// The pure core of a CLI session: one command's words in, a reply out,
/// HAProxy 2.6's order of checks and texts. `@<pid>` routing on the master
/// CLI is the caller's; the words given here have no prefix.
public enum RuntimeCLI {
    /// What the CLI appends after every answer outside prompt mode.
    public static let endOfAnswer = "\n"
    /// What it appends in prompt mode.
    public static let prompt = "\n> "

    /// The reply for a command that changes the CLI session itself
    /// (`prompt`, `quit`, `operator`, `user`, `set timeout cli`), which the
    /// endpoint applies; nil for every other command.
    public static func sessionReply(to words: [String], level: RuntimeLevel, master: Bool) -> RuntimeReply? {
        // Asked of every line: the others are told apart by their first
        // words without a search of the keyword table.
        guard let first = words.first, ["prompt", "quit", "operator", "user", "set"].contains(first),
              first != "set" || words.count > 1 && words[1] == "timeout" else { return nil }
        guard case .success(let command) = RuntimeCommand.parse(words: words, level: level, master: master) else { return nil }
        return sessionReply(to: command)
    }

    static func sessionReply(to command: RuntimeCommand) -> RuntimeReply? {
        switch command {
        case .prompt: return .togglePrompt
        case .quit: return .quit
        case .lowerLevel(let l): return .setLevel(l)
        case .setCLITimeout(let seconds): return .setTimeout(milliseconds: Int64(seconds) * 1000)
        default: return nil
        }
    }

    public static func respond(to words: [String], level: RuntimeLevel, master: Bool, snapshot s: RuntimeSnapshot) -> RuntimeReply {
        let command: RuntimeCommand
        switch RuntimeCommand.parse(words: words, level: level, master: master) {
        case .failure(let e): return .text(e.text(level: level, master: master))
        case .success(let c): command = c
        }
        switch command {
        case .help(let topic): return .text(RuntimeHelp.usage(words: topic, help: true, master: master))
        case .prompt, .quit, .setCLITimeout, .lowerLevel: return sessionReply(to: command)!
        case .showCLILevel: return .text(RuntimeFormat.showCLILevel(level))
        case .showCLISockets: return .text(RuntimeFormat.showCLISockets(s))
        case .showEnv(let name): return .text(RuntimeFormat.showEnv(s, name: name))
        case .showVersion: return .text(RuntimeFormat.showVersion(s))
        case .showProc: return .showProc
        case .reload: return .reload
        case .clearCounters(let all): return .clearCounters(all: all)
        case .shutdownSessions(let b, let n):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            return .shutdownSessions(backend: sv.backendName, server: sv.name)
        case .frontendAdmin(let name, let action): return frontendAdmin(name, action, s)
        case .showSessions, .shutdownSession, .showErrors, .showActivity, .showPools: return .workerSessions(command)
        case .setMaxconn(let name?, let value):
            // HAProxy's order: the frontend, then the value (atoi).
            guard let frontend = s.frontend(named: name) else { return .text("No such frontend.\n") }
            guard let value else { return .text("Integer value expected.\n") }
            let v = RuntimeCommandLine.atoi(value)
            guard v >= 0 else { return .text("Value out of range.\n") }
            return .setMaxconn(frontend: frontend.index, value: v)
        case .setRateLimit(let setting, let value):
            guard let value else { return .text("Expects an integer value.\n") }
            let v = RuntimeCommandLine.atoi(value)
            guard v >= 0 else { return .text("Value out of range.\n") }
            guard setting == "connections" || setting == "sessions" else {
                return .text("'set rate-limit \(setting) global' is not supported yet: Fulcrum has no '\(setting == "ssl-sessions" ? "maxsslrate" : "maxcomprate")' limit.\n")
            }
            return .setRateLimit(connections: setting == "connections", value: v)
        case .setMaxconn(nil, let value):
            guard let value else { return .text("Expects an integer value.\n") }
            let v = RuntimeCommandLine.atoi(value), hard = s.info.hardMaxconn
            guard v >= 0, hard == 0 || v <= hard else { return .text("Value out of range.\n") }
            return .setMaxconn(frontend: nil, value: v)
        case .showInfo(let format): return .text(RuntimeFormat.showInfo(s, format: format))
        case .showStat(let format, let scope, let visibility):
            var filter: StatFilter?
            if let scope {
                guard let f = StatFilter.resolve(scope, in: s) else { return .text("No such proxy.\n") }
                filter = f
            }
            return .text(RuntimeFormat.showStat(s, format: format, filter: filter, visibility: visibility))
        case .showServersState(let backend): return .text(RuntimeFormat.showServersState(s, backend: backend))
        case .showServersConn(let backend): return .text(RuntimeFormat.showServersConn(s, backend: backend))
        case .showBackend: return .text(RuntimeFormat.showBackend(s))
        case .getWeight(let b, let n):
            return lookup(b, n, s).map { .text(RuntimeFormat.getWeight($0)) } ?? .text(lookupError(b, n, s))
        case .setWeight(let b, let n, let text):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            let dynamic = s.backend(named: b)?.backend?.dynamicWeights ?? true
            switch RuntimeWeight.parse(text, initialWeight: sv.initialWeight, dynamic: dynamic) {
            case .failure(let e): return .text(e.text(level: level, master: master))
            case .success(let w):
                var c = RuntimeServerChange(sv)
                c.setWeight(w)
                return .change(c)
            }
        case .setServerState(let b, let n, let state):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            var c = RuntimeServerChange(sv)
            switch state {
            case .ready: c.setReady()
            case .drain: c.setDrain()
            case .maint: c.setMaintenance()
            }
            return .change(c)
        case .setServerHealth(let b, let n, let health):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            var c = RuntimeServerChange(sv)
            c.setHealth(health)
            return .change(c)
        case .enableServer(let b, let n):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            var c = RuntimeServerChange(sv)
            c.setReady()
            return .change(c)
        case .disableServer(let b, let n):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            var c = RuntimeServerChange(sv)
            c.setMaintenance()
            return .change(c)
        case .setServerMaxconn(let b, let n, let text):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            switch RuntimeServerMaxconn.parse(text) {
            case .failure(let e): return .text(e.text(level: level, master: master))
            case .success(let v): return .setServerMaxconn(backend: sv.backendName, server: sv.name, value: v)
            }
        case .setServerAddress, .setServerCheckPort, .setServerAgent, .setServerSSL, .setServerFQDN, .addServer, .deleteServer,
             .setServerCheckAddress:
            return respondServers(command, snapshot: s)
        case .enableHealth(let b, let n), .disableHealth(let b, let n):
            guard let sv = lookup(b, n, s) else { return .text(lookupError(b, n, s)) }
            var c = RuntimeServerChange(sv)
            guard c.checkEnabled != nil else {
                if case .enableHealth = command {
                    return .text("Health check was not configured on this server, cannot enable.\n")
                }
                return .change(c)  // HAProxy accepts it and nothing changes
            }
            if case .enableHealth = command { c.checkEnabled = true } else { c.checkEnabled = false }
            return .change(c)
        }
    }

    /// HAProxy 2.6's checks and texts for `disable|enable|shutdown frontend`.
    static func frontendAdmin(_ name: String, _ action: FrontendAction, _ s: RuntimeSnapshot) -> RuntimeReply {
        guard let frontend = s.frontend(named: name) else { return .text("No such frontend.\n") }
        switch (action, frontend.status) {
        case (.disable, .stopped): return .text("Frontend was previously shut down, cannot disable.\n")
        case (.disable, .paused): return .text("All sockets are already disabled.\n")
        case (.enable, .stopped): return .text("Frontend was previously shut down, cannot enable.\n")
        case (.enable, .open): return .text("All sockets are already enabled.\n")
        case (.shutdown, .stopped): return .text("Frontend was already shut down.\n")
        default: return .frontendAdmin(frontend: frontend.index, action: action)
        }
    }

    static func lookup(_ backend: String, _ server: String, _ s: RuntimeSnapshot) -> RuntimeSnapshot.Server? {
        guard s.backend(named: backend) != nil else { return nil }
        return s.server(backend, server)
    }

    /// HAProxy's cli_find_server() errors.
    static func lookupError(_ backend: String, _ server: String, _ s: RuntimeSnapshot) -> String {
        s.backend(named: backend) == nil ? "No such backend.\n" : "No such server.\n"
    }
}
