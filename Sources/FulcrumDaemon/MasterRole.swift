import Glibc
import FulcrumConfig
import FulcrumPosix

/// What the master process does from the command line to its event loop:
/// load and check the configuration, daemonize if asked, write the pidfile,
/// then hand over to `Master`.
enum MasterRole {
    static let daemonReadyEnv = "FULCRUM_DAEMON_READY_FD"

    static func run(_ options: CommandLineOptions) -> Int32 {
        if let fd = options.upgradeState { return continueAfterUpgrade(options, stateFD: fd) }
        let loaded = ConfigLoader.load(paths: options.configPaths)
        for d in loaded.diagnostics {
            if d.severity == .alert || !options.quiet { printError(d.description) }
        }
        if loaded.hasErrors {
            printError("[ALERT] Fatal errors found in configuration.")
            return 1
        }
        if options.checkOnly {
            if !options.quiet { print("Configuration file is valid") }
            return 0
        }
        let c = loaded.configuration
        let workers = max(1, c.global.workers ?? c.global.nbthread ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

        // -D / `daemon`: re-execute ourselves in a new session and wait until
        // that copy reports its workers ready (or fails), then leave.
        let readyFD = getenv(daemonReadyEnv).flatMap { Int32(String(cString: $0)) }
        if (options.daemon || c.global.daemon) && readyFD == nil && !options.debug {
            return daemonize()
        }

        let pidFile = options.pidFile ?? c.global.pidfile
        let master: Master
        do {
            var o = options
            o.pidFile = pidFile
            master = try Master(options: o, loaded: loaded, workers: workers)
        } catch let e as ListenerError {
            for m in e.messages { Log.alert(m) }
            return 1
        } catch {
            Log.alert("cannot start: \(error)")
            return 1
        }
        if let pidFile {
            do {
                let fd = try FileDescriptor.open(pidFile, flags: O_WRONLY | O_CREAT | O_TRUNC)
                try fd.writeAll(Array("\(getpid())\n".utf8))
                fd.close()
            } catch {
                Log.alert("cannot write pidfile \(pidFile): \(error)")
                return 1
            }
        }
        if let readyFD {
            unsetenv(daemonReadyEnv)
            master.readyCallback = {
                _ = write(readyFD, "ok", 2)
                close(readyFD)
            }
        }
        return master.run()
    }

    /// The image a reload re-executed: same pid, pidfile and sockets; take
    /// over from the handover and finish the reload. There is no one to
    /// return an error to, so a handover this binary cannot read stops the
    /// daemon with the reason logged (the old image checked that the binary
    /// runs and accepts the configuration before exec'ing it).
    private static func continueAfterUpgrade(_ options: CommandLineOptions, stateFD: Int32) -> Int32 {
        let fd = FileDescriptor(stateFD)
        let text: String
        do { text = String(decoding: try SealedBlob.read(fd), as: UTF8.self) } catch {
            Log.alert("cannot read the handover state: \(error)")
            return 1
        }
        fd.close()
        let master: Master
        do {
            master = try Master(options: options, handover: try MasterHandover.decode(text))
        } catch {
            Log.alert("cannot take over after re-exec: \(error)")
            return 1
        }
        return master.runAfterUpgrade()
    }

    private static func daemonize() -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { printError("[ALERT] pipe: \(Errno.current)"); return 1 }
        let readEnd = FileDescriptor(fds[0]), writeEnd = FileDescriptor(fds[1])
        try? readEnd.setCloseOnExec(true)
        try? writeEnd.setCloseOnExec(true)
        var env = ProcessSpawner.currentEnvironment().filter { !$0.hasPrefix(daemonReadyEnv + "=") }
        env.append("\(daemonReadyEnv)=3")
        let args = Array(CommandLine.arguments.dropFirst())
        let devNull = try? FileDescriptor.open("/dev/null", flags: O_RDWR)
        defer { devNull?.close() }
        do {
            _ = try ProcessSpawner.spawn(path: ProcessSpawner.executablePath(), arguments: args, environment: env,
                                         inherited: [writeEnd], newSession: true, stdio: nil)
        } catch {
            printError("[ALERT] cannot daemonize: \(error)")
            return 1
        }
        writeEnd.close()
        var buf = [UInt8](repeating: 0, count: 8)
        let n = buf.withUnsafeMutableBytes { read(readEnd.rawValue, $0.baseAddress!, $0.count) }
        readEnd.close()
        if n == 2 { return 0 }
        printError("[ALERT] the daemon failed to start; see the messages above.")
        return 1
    }
}
