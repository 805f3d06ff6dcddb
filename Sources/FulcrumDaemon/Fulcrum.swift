import Glibc
import FulcrumConfig
import FulcrumPosix
import FulcrumProxy

/// Entry point: parse the command line and play the requested role.
public enum Fulcrum {
    public static func main(_ arguments: [String]) -> Int32 {
        // Asked by a master before it re-executes this binary (Master+Upgrade).
        if arguments == ["--handover-format"] { print(MasterHandover.format); return 0 }
        let options: CommandLineOptions
        do { options = try CommandLineOptions.parse(arguments) } catch {
            if case .message(let m) = error { printError("fulcrum: \(m)") }
            printError(CommandLineOptions.usage)
            return 1
        }
        ConfigLoader.commandLine = CommandLineOverrides(options)
        if let byte = options.poisonByte { BufferPoisoning.enable(byte: byte) }
        if options.isQuiet { Log.threshold = .warning }
        if let id = options.configID { setenv(KeepalivedParser.configIDVariable, id, 1) }
        if options.debug { Log.threshold = .debug }
        if options.role == "worker" { return WorkerRole.run(options) }
        if options.role == "program" { return ProgramRole.run(options) }
        if options.role == "checker" { return CheckerRole.run(options) }
        if options.role == "peers" { return PeersRole.run(options) }
        if options.role == "vrrp" { return VRRPRole.run(options) }
        if options.role == "smtp-alert" { return SMTPAlertRole.run(options) }
        if options.role == "mailer" { return MailerRole.run(options) }
        if let role = options.role { printError("fulcrum: unknown role '\(role)'"); return 1 }
        // As `haproxy -h`: the usage on stderr, exit 1.
        if options.help { printError(CommandLineOptions.usage); return 1 }
        if options.poisonHelp { print(CommandLineOptions.poisonHelp); return 0 }
        if options.version > 0 { printVersion(verbose: options.version > 1); return 0 }
        if let expression = options.condition { return ConditionCommand.run(expression, options) }
        return MasterRole.run(options)
    }

    static func printVersion(verbose: Bool) {
        print("Fulcrum version \(FulcrumVersion.string) \(FulcrumVersion.date)")
        print("Configuration language: HAProxy \(ConfigParser.compatibleVersion), Keepalived 2.2 (VRRP)")
        if verbose {
            print("Build options :")
            print("  Processes: master + worker processes (SO_REUSEPORT), shared table over memfd")
            print("  Event loop: epoll (edge-triggered), splice(2) for bulk TCP")
            print("  Swift: no package dependencies")
        }
    }
}

func printError(_ s: String) {
    let line = s.hasSuffix("\n") ? s : s + "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { Glibc.write(2, $0.baseAddress!, $0.count - 1) }
}
