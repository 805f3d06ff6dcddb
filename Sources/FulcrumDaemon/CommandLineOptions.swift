/// The command line, HAProxy's where the two overlap.
public struct CommandLineOptions: Equatable {
    public var configPaths: [String] = []
    public var checkOnly = false
    public var quiet = false
    public var debug = false
    public var daemon = false
    public var masterWorker = false
    public var systemd = false
    public var pidFile: String?
    public var masterSocket: String?
    public var version = 0
    public var help = false
    /// Internal: the role a re-executed child plays (`--role worker`).
    public var role: String?
    public var slot = 0
    /// Internal: for each inherited listener fd (from 6 on), "frontend.bind".
    public var listenerMap: [(frontend: Int, bind: Int)] = []
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
    /// Internal, `--role vrrp`: instances that were MASTER when the previous
    /// VRRP child ended; they resume as MASTER without dropping their VIPs.
    public var resumeMaster: [String] = []
    /// `-i ID`: keepalived's config id, which chooses `@ID` / `@^ID` lines of
    /// keepalived text. Carried to every process in the environment
    /// (`KeepalivedParser.configIDVariable`), since each one parses the files.
    public var configID: String?

    public static func == (a: CommandLineOptions, b: CommandLineOptions) -> Bool {
        a.configPaths == b.configPaths && a.checkOnly == b.checkOnly && a.quiet == b.quiet && a.debug == b.debug
            && a.daemon == b.daemon && a.masterWorker == b.masterWorker && a.systemd == b.systemd
            && a.pidFile == b.pidFile && a.masterSocket == b.masterSocket && a.version == b.version
            && a.help == b.help && a.role == b.role && a.slot == b.slot
            && a.programUser == b.programUser && a.programGroup == b.programGroup && a.programCommand == b.programCommand
            && a.smtpAlertArguments == b.smtpAlertArguments
            && a.upgradeState == b.upgradeState && a.tlsSessions == b.tlsSessions && a.resumeMaster == b.resumeMaster
            && a.configID == b.configID
            && a.listenerMap.map { "\($0.frontend).\($0.bind)" } == b.listenerMap.map { "\($0.frontend).\($0.bind)" }
    }

    public static let usage = """
        Usage : fulcrum [-f <cfgfile|cfgdir>]* [ -vdVDqcW ] [ -Ws ] [ -p <pidfile> ] [ -S <socket> ]
                -v displays version ; -vv shows known build options.
                -h shows this help
                -f <cfgfile|cfgdir> loads a file, or every *.cfg of a directory in lexical order
                -c checks the configuration and exits (0 if valid, 1 with the errors)
                -q quiet mode: only warnings and alerts are printed
                -d foreground with debug log on stderr
                -D goes daemon
                -W master-worker mode (always on)
                -Ws master-worker mode with systemd notify support
                -p writes the master's pid to <pidfile>
                -S <socket> binds the master CLI on a unix socket
                -i <id> keepalived config id: lines '@id ...' apply, '@^id ...' do not (default: the host name up to its first '.')
        """

    public enum ParseError: Error, Equatable { case message(String) }

    public static func parse(_ args: [String]) throws(ParseError) -> CommandLineOptions {
        var o = CommandLineOptions()
        var i = 0
        func value(_ flag: String) throws(ParseError) -> String {
            i += 1
            guard i < args.count else { throw .message("option '\(flag)' needs an argument") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-f": o.configPaths.append(try value(a))
            case "-c": o.checkOnly = true
            case "-i": o.configID = try value(a)
            case "-q": o.quiet = true
            case "-d": o.debug = true
            case "-D": o.daemon = true
            case "-W": o.masterWorker = true
            case "-Ws": o.masterWorker = true; o.systemd = true
            case "-p": o.pidFile = try value(a)
            case "-S": o.masterSocket = try value(a)
            case "-v", "-V": o.version = max(o.version, 1)
            case "-vv": o.version = 2
            case "-h", "--help": o.help = true
            case "--role": o.role = try value(a)
            case "--user": o.programUser = try value(a)
            case "--group": o.programGroup = try value(a)
            case "--" where o.role == "program":
                o.programCommand = Array(args[(i + 1)...])
                i = args.count
                continue
            case "--" where o.role == "smtp-alert":
                o.smtpAlertArguments = Array(args[(i + 1)...])
                i = args.count
                continue
            case "--upgrade-state":
                guard let n = Int32(try value(a)), n > 2 else { throw .message("--upgrade-state needs a descriptor number") }
                o.upgradeState = n
            case "--tls-sessions":
                guard let n = Int32(try value(a)), n > 2 else { throw .message("--tls-sessions needs a descriptor number") }
                o.tlsSessions = n
            case "--resume-master":
                o.resumeMaster = try value(a).split(separator: ",").map(String.init)
            case "--slot":
                guard let n = Int(try value(a)) else { throw .message("--slot needs a number") }
                o.slot = n
            case "--listeners":
                let spec = try value(a)
                for part in spec.split(separator: ",") {
                    let fb = part.split(separator: ".")
                    guard fb.count == 2, let f = Int(fb[0]), let b = Int(fb[1]) else { throw .message("bad --listeners") }
                    o.listenerMap.append((f, b))
                }
            default:
                if a.hasPrefix("-f"), a.count > 2 { o.configPaths.append(String(a.dropFirst(2))); break }
                if a.hasPrefix("-i"), a.count > 2 { o.configID = String(a.dropFirst(2)); break }
                throw .message("unknown option '\(a)'")
            }
            i += 1
        }
        if o.role == nil && !o.help && o.version == 0 && o.configPaths.isEmpty {
            throw .message("no configuration file given (-f)")
        }
        return o
    }
}
