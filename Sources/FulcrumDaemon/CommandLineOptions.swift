import Glibc

/// The command line, HAProxy 2.6's where the two overlap (`haproxy -h`), plus
/// the internal options a master gives the children it re-executes.
public struct CommandLineOptions: Equatable {
    public var configPaths: [String] = []
    public var checkOnly = false
    /// `-cc EXPR`: evaluate a conditional-block expression and exit.
    public var condition: String?
    public var quiet = false
    /// `-V`: messages are printed even with `-q` or `quiet`.
    public var verbose = false
    public var debug = false
    /// `-db`: stay in the foreground even with `-D` or `daemon`.
    public var foreground = false
    public var daemon = false
    public var masterWorker = false
    public var systemd = false
    public var pidFile: String?
    /// `-S ADDRESS[,OPTION,VALUE...]`, as many as given (CLIBindSpec reads them).
    public var masterSockets: [String] = []
    /// `-dM[BYTE]`: buffers are filled with this byte when taken (poisoning).
    public var poisonByte: UInt8?
    /// `-dW`: a warning fails the configuration (HAProxy's zero-warning).
    public var zeroWarning = false
    /// `-dr`: a server whose address does not resolve starts in maintenance.
    public var ignoreResolveFailures = false
    /// `-dV`: servers' certificates are not verified unless a server says so.
    public var serverVerifyNone = false
    /// `-L NAME`: the local peer name (HAPROXY_LOCALPEER; default: hostname).
    public var localPeer: String?
    /// `-N N`: maxconn of the frontends that set none.
    public var defaultProxyMaxconn: Int?
    /// `-m MB`: the address-space limit (RLIMIT_AS) of every process.
    public var memoryLimitMB: Int?
    /// `-n N`: the global maxconn, over the configuration's.
    public var maxconn: Int?
    /// `-C DIR`: the directory to change to before the files are read.
    public var changeDirectory: String?
    /// `-sf PID...` / `-st PID...`: once serving, SIGUSR1 / SIGTERM to these.
    public var softStopPIDs: [pid_t] = []
    public var hardStopPIDs: [pid_t] = []
    /// `-x SOCKET`: take the listening sockets from a running instance.
    public var socketSource: String?
    public var version = 0
    public var help = false
    /// `-dMhelp`: what `-dM` takes, printed on stdout (exit 0, as HAProxy).
    public var poisonHelp = false
    /// Internal: the role a re-executed child plays (`--role worker`).
    public var role: String?
    public var slot = 0
    /// Internal: for each inherited listener fd (from 6 on), "frontend.bind".
    public var listenerMap: [ListenerSlot] = []
    /// Internal, `--role program`: privileges and the command after `--`.
    public var programUser: String?
    public var programGroup: String?
    public var programCommand: [String] = []
    /// Internal, `--role smtp-alert`: the sender's own words after `--`
    /// (see SMTPAlertRequest).
    public var smtpAlertArguments: [String] = []
    /// Internal: a re-executed master reads the previous image's state from
    /// this descriptor (binary upgrade on reload).
    public var upgradeState: Int32?
    /// Internal, `--role worker`: the descriptor of the TLS session cache the
    /// workers share (`--tls-sessions N`).
    public var tlsSessions: Int32?
    /// Internal, `--role worker`: the descriptor of the `cache` sections'
    /// shared region (`--http-caches N`).
    public var httpCaches: Int32?
    /// The stick tables' regions, in the configuration's table order
    /// (`--stick-tables N,N,...`).
    public var stickTables: [Int32] = []
    /// `--peers-learn`: the peers role asks a peer for its tables (they
    /// start empty).
    public var peersLearn = false
    /// Internal, `--role worker|peers`: the eventfd a worker signals after
    /// changing an entry the peers process pushes (`--peers-wake N`).
    public var peersWake: Int32?
    /// Internal, `--role vrrp`: instances that were MASTER when the previous
    /// VRRP child ended; they resume as MASTER without dropping their VIPs.
    public var resumeMaster: [String] = []
    /// Internal, in daemon mode: a child sends its standard streams to
    /// /dev/null once ready, so no caller's pipe or terminal stays held.
    public var detachStdio = false

    /// `-i ID`: keepalived's config id, which chooses `@ID` / `@^ID` lines of
    /// keepalived text. Carried to every process in the environment
    /// (`KeepalivedParser.configIDVariable`), since each one parses the files.
    public var configID: String?

    /// A listener a worker inherits: its frontend and bind line, and whether
    /// it is the socket of sibling slot N, watched exclusively (`F.B.xN`).
    public struct ListenerSlot: Equatable {
        public var frontend: Int; public var bind: Int; public var ownerSlot: Int? = nil
    }

    public enum ParseError: Error, Equatable { case message(String) }

    /// What a child must be told to load the configuration as the master
    /// did and to behave as asked: the options that change either.
    var childArguments: [String] {
        var a: [String] = []
        if debug { a.append("-d") }
        if quiet && !verbose { a.append("-q") }
        a += configArguments
        if let b = poisonByte { a.append("-dM\(b)") }
        if detachStdio { a.append("--detach-stdio") }
        return a
    }

    /// The options that change what the configuration means (the check a
    /// reload runs on the installed binary passes them too).
    var configArguments: [String] {
        var a: [String] = []
        if ignoreResolveFailures { a.append("-dr") }
        if serverVerifyNone { a.append("-dV") }
        if let n = defaultProxyMaxconn { a += ["-N", String(n)] }
        if let n = maxconn { a += ["-n", String(n)] }
        return a
    }

    /// Messages below warning are suppressed (`-q` without `-V`).
    var isQuiet: Bool { quiet && !verbose }

    public static func parse(_ args: [String]) throws(ParseError) -> CommandLineOptions {
        var o = CommandLineOptions()
        var i = 0
        func value(_ flag: String) throws(ParseError) -> String {
            i += 1
            guard i < args.count else { throw .message("option '\(flag)' needs an argument") }
            return args[i]
        }
        func number(_ flag: String) throws(ParseError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n >= 0 else { throw .message("option '\(flag)' expects a number (got '\(text)')") }
            return n
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-f": o.configPaths.append(try value(a))
            case "--" where o.role == nil:
                // HAProxy: every argument after `--` is a configuration file.
                o.configPaths += args[(i + 1)...]
                i = args.count
                continue
            case "-c": o.checkOnly = true
            case "-cc": o.condition = try value(a)
            case "-i": o.configID = try value(a)
            case "-q": o.quiet = true
            case "-V": o.verbose = true
            case "-d": o.debug = true
            case "-db": o.foreground = true
            case "-dW": o.zeroWarning = true
            case "-dr": o.ignoreResolveFailures = true
            case "-dV": o.serverVerifyNone = true
            case "-D": o.daemon = true
            case "-W": o.masterWorker = true
            case "-Ws": o.masterWorker = true; o.systemd = true
            case "-p": o.pidFile = try value(a)
            case "-S": o.masterSockets.append(try value(a))
            case "-L": o.localPeer = try value(a)
            case "-N": o.defaultProxyMaxconn = try number(a)
            case "-n": o.maxconn = try number(a)
            case "-m": o.memoryLimitMB = try number(a)
            case "-C": o.changeDirectory = try value(a)
            case "-x": o.socketSource = try value(a)
            case "-sf", "-st":
                // As HAProxy: every following argument that is not an option is a pid.
                var pids: [pid_t] = []
                while i + 1 < args.count, !args[i + 1].hasPrefix("-") {
                    i += 1
                    guard let pid = pid_t(args[i]), pid > 0 else {
                        throw .message("\(a) option: some bytes unconsumed in PID list {\(args[i])}")
                    }
                    pids.append(pid)
                }
                if a == "-sf" { o.softStopPIDs += pids } else { o.hardStopPIDs += pids }
            case "-v": o.version = max(o.version, 1)
            case "-vv": o.version = 2
            case "-h", "--help": o.help = true
            case "--role": o.role = try value(a)
            case "--user": o.programUser = try value(a)
            case "--group": o.programGroup = try value(a)
            case "--detach-stdio": o.detachStdio = true
            case "--" where o.role == "program":
                o.programCommand = Array(args[(i + 1)...])
                i = args.count
                continue
            case "--" where o.role == "smtp-alert" || o.role == "mailer":
                o.smtpAlertArguments = Array(args[(i + 1)...])
                i = args.count
                continue
            case "--upgrade-state":
                guard let n = Int32(try value(a)), n > 2 else { throw .message("--upgrade-state needs a descriptor number") }
                o.upgradeState = n
            case "--tls-sessions":
                guard let n = Int32(try value(a)), n > 2 else { throw .message("--tls-sessions needs a descriptor number") }
                o.tlsSessions = n
            case "--http-caches":
                guard let n = Int32(try value(a)), n > 2 else { throw .message("--http-caches needs a descriptor number") }
                o.httpCaches = n
            case "--stick-tables":
                let fds = try value(a).split(separator: ",").map { Int32($0) }
                guard fds.allSatisfy({ ($0 ?? 0) > 2 }) else { throw .message("--stick-tables needs descriptor numbers") }
                o.stickTables = fds.map { $0! }
            case "--peers-learn":
                o.peersLearn = true
            case "--peers-wake":
                guard let n = Int32(try value(a)), n > 2 else { throw .message("--peers-wake needs a descriptor number") }
                o.peersWake = n
            case "--resume-master":
                o.resumeMaster = try value(a).split(separator: ",").map(String.init)
            case "--slot":
                guard let n = Int(try value(a)) else { throw .message("--slot needs a number") }
                o.slot = n
            case "--listeners":
                let spec = try value(a)
                for part in spec.split(separator: ",") {
                    let fb = part.split(separator: ".")
                    let owner = fb.count == 3 && fb[2].first == "x" ? Int(fb[2].dropFirst()) : nil
                    guard fb.count == 2 || owner != nil, let f = Int(fb[0]), let b = Int(fb[1]) else {
                        throw .message("bad --listeners")
                    }
                    o.listenerMap.append(ListenerSlot(frontend: f, bind: b, ownerSlot: owner))
                }
            default:
                if a.hasPrefix("-f"), a.count > 2 { o.configPaths.append(String(a.dropFirst(2))); break }
                if a == "-dMhelp" { o.poisonHelp = true; break }
                if a.hasPrefix("-dM") { o.poisonByte = try poison(String(a.dropFirst(3))); break }
                if a.hasPrefix("-i"), a.count > 2 { o.configID = String(a.dropFirst(2)); break }
                throw .message("unknown option '\(a)'")
            }
            i += 1
        }
        if o.role == nil && !o.help && !o.poisonHelp && o.version == 0 && o.condition == nil && o.configPaths.isEmpty {
            throw .message("no configuration file given (-f)")
        }
        return o
    }

    /// `-dM`, `-dM0x41`, `-dM65`: HAProxy's pool poisoning byte (0x50 by
    /// default). Its debugging keywords after a comma are not served.
    private static func poison(_ text: String) throws(ParseError) -> UInt8 {
        if text.isEmpty { return 0x50 }
        let byteText = text.split(separator: ",", omittingEmptySubsequences: false)[0]
        if byteText.count < text.count {
            throw .message("-dM: pool debugging features (after ',') are not supported; only the poisoning byte is")
        }
        let parsed = byteText.hasPrefix("0x") ? UInt8(byteText.dropFirst(2), radix: 16) : UInt8(byteText)
        guard let b = parsed else { throw .message("-dM: unknown pool debugging feature <\(text)>") }
        return b
    }

    static let poisonHelp = """
        -dM alone enables memory poisoning with byte 0x50 when a buffer is taken
        from the pool. A numeric value may be appended immediately after -dM to
        use another value (0 supported). HAProxy's pool debugging keywords are
        not supported.
        """
}
