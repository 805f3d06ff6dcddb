import Glibc
import FulcrumConfig
import FulcrumPosix

/// What the master process does from the command line to its event loop:
/// prepare the process (-C, -L, -m), load and check the configuration,
/// daemonize if asked, take sockets from a previous instance (-x), write the
/// pidfile, then hand over to `Master`; once the workers serve, stop the old
/// instances (-sf/-st) and, as a daemon, let go of the caller's streams.
enum MasterRole {
    static func run(_ options: CommandLineOptions) -> Int32 {
        if let fd = options.upgradeState { return continueAfterUpgrade(options, stateFD: fd) }
        // The daemon's own copy inherits the directory and limits already set.
        let readyFD = Daemonizer.readyDescriptor()
        if readyFD == nil {
            if let failure = prepareProcess(options) { printError("[ALERT] \(failure)"); return 1 }
        }
        let loaded = ConfigLoader.load(paths: options.configPaths)
        var options = options
        // `quiet` in global is -q, unless -V asked for the opposite.
        if loaded.configuration.global.quiet { options.quiet = true }
        if options.isQuiet { Log.threshold = .warning }
        if let environment = loaded.configuration.global.environment { ProcessSpawner.replaceEnvironment(with: environment) }
        for d in loaded.diagnostics {
            if d.severity == .alert || !options.isQuiet { printError(d.description) }
        }
        if loaded.hasErrors {
            printError("[ALERT] Fatal errors found in configuration.")
            return 1
        }
        if options.zeroWarning || loaded.configuration.global.zeroWarning,
           loaded.diagnostics.contains(where: { $0.severity == .warning }) {
            printError("[ALERT] Some warnings were found and 'zero-warning' is set. Aborting.")
            return 1
        }
        if options.checkOnly {
            if !options.isQuiet, loaded.diagnostics.contains(where: { $0.severity == .warning }) { print("Warnings were found.") }
            guard loaded.configuration.hasListener else {
                if !options.isQuiet { print("Configuration file has no error but will not start (no listener) => exit(2).") }
                return 2
            }
            if !options.isQuiet { print("Configuration file is valid") }
            return 0
        }
        let c = loaded.configuration
        let workers = c.global.workerCount(onlineProcessors: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

        // -D / `daemon` (unless -d or -db): re-execute ourselves in a new
        // session and wait until that copy reports its workers ready.
        if (options.daemon || c.global.daemon) && readyFD == nil && !options.debug && !options.foreground {
            return Daemonizer.daemonize()
        }

        var o = options
        o.pidFile = options.pidFile ?? c.global.pidfile
        o.detachStdio = readyFD != nil
        let master: Master
        do {
            let inherited = try options.socketSource.map { try SocketTransfer.fetch(from: $0) } ?? []
            master = try Master(options: o, loaded: loaded, workers: workers, adopting: inherited)
        } catch let e as ListenerError {
            for m in e.messages { Log.alert(m) }
            return 1
        } catch let e as SocketTransfer.Failure {
            Log.alert("-x \(options.socketSource ?? ""): \(e.message)")
            return 1
        } catch {
            Log.alert("cannot start: \(error)")
            return 1
        }
        if let pidFile = o.pidFile, let failure = PidFile.write(pidFile) {
            Log.alert(failure)
            return 1
        }
        master.readyCallback = {
            OldInstances.stop(soft: options.softStopPIDs, hard: options.hardStopPIDs)
            if let readyFD { Daemonizer.reportReady(readyFD) }
        }
        return master.run()
    }

    /// -C, -L and -m, before anything is read: nil, or why the process cannot run.
    private static func prepareProcess(_ options: CommandLineOptions) -> String? {
        if let dir = options.changeDirectory, chdir(dir) != 0 {
            return "Cannot chdir to \(dir): \(Errno.current)"
        }
        LocalPeer.export(options.localPeer)
        if let mb = options.memoryLimitMB, mb > 0 {
            // HAProxy's -m: the address space, in MB; the children inherit it.
            var limit = rlimit(rlim_cur: rlim_t(mb) << 20, rlim_max: rlim_t(mb) << 20)
            if setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) != 0 { return "cannot set the memory limit to \(mb) MB: \(Errno.current)" }
        }
        return nil
    }

    /// The image a reload re-executed: same pid, pidfile and sockets; take
    /// over from the handover and finish the reload. There is no one to
    /// return an error to, so a handover this binary cannot read stops the
    /// daemon with the reason logged (the old image checked that the binary
    /// runs and accepts the configuration before exec'ing it). Its arguments
    /// are the first image's: -C, -sf/-st and -x were done then, not again.
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
}
