import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy
import FulcrumTLS

/// The worker process: maps what the master handed over at fixed descriptor
/// numbers, parses the same configuration bytes, drops privileges, and runs
/// the proxy event loop.
enum WorkerRole {
    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "worker \(o.slot + 1)"
        Processes.setName("fulcrum-w\(o.slot + 1)")
        Processes.dieWithParent(signal: SIGKILL)
        SignalChannel.ignore(SIGPIPE)

        let control = FileDescriptor(Master.ChildFD.control)
        guard let boot = ChildBootstrap.attach() else { return 1 }
        let loaded = boot.loaded, table = boot.table
        // The master set the limit maxconn or ulimit-n asks for (FileLimit);
        // without either, take what the hard limit allows.
        if loaded.configuration.global.maxconn == nil && loaded.configuration.global.ulimitN == nil { raiseFileLimit() }
        var listeners: [WorkerSetup.Listener] = []
        for (i, m) in o.listenerMap.enumerated() {
            listeners.append(WorkerSetup.Listener(fd: FileDescriptor(Master.ChildFD.firstListener + Int32(i)),
                                                  frontend: m.frontend, bindLine: m.bind, ownerSlot: m.ownerSlot))
        }

        let g = loaded.configuration.global
        if g.user != nil || g.group != nil || g.chroot != nil {
            let (target, err) = Privileges.resolve(user: g.user, group: g.group)
            guard let target else { Log.alert(err ?? "cannot resolve user/group"); return 1 }
            if let failure = Privileges.apply(chrootPath: g.chroot, target: target) {
                Log.alert("cannot drop privileges: \(failure)")
                return 1
            }
        }
        // After setuid the kernel marks the process not dumpable; set-dumpable undoes it.
        if g.setDumpable { Privileges.makeDumpable() }

        var setup = WorkerSetup(configuration: loaded.configuration, slot: o.slot, control: control, table: table,
                                listeners: listeners, serverAddresses: loaded.serverAddresses)
        setup.errorFiles = loaded.errorFiles
        setup.backendErrorFiles = loaded.backendErrorFiles
        setup.frontendRules = loaded.frontendRules
        setup.backendRules = loaded.backendRules
        setup.frontendTCPRules = loaded.frontendTCPRules
        setup.backendTCPRules = loaded.backendTCPRules
        setup.backendTCPResponseRules = loaded.backendTCPResponseRules
        setup.frontendConnectionRules = loaded.frontendConnectionRules
        setup.backendStickRules = loaded.backendStickRules
        setup.frontendSessionRules = loaded.frontendSessionRules
        setup.backendServerRules = loaded.backendServerRules
        setup.frontendLogs = loaded.frontendLogs
        // The table numbers bind lines frontend by frontend, as this flattens them.
        setup.bindTLS = loaded.bindTLS.flatMap { $0 }
        let spares = TableIndex(loaded.configuration).spareServers
        setup.serverTLS = loaded.serverTLS.enumerated().flatMap { $1 + Array(repeating: nil, count: spares[$0]) }
        // Every worker derives the same ticket keys and shares one session
        // cache: a session resumes in any of them.
        let ring = TLSTicketRing(seed: table.ticketSeed, sessionLifetime: loaded.configuration.global.tls.cacheLifetime)
        var sessions: SharedTLSSessions? = nil
        if let fd = o.tlsSessions {
            guard let memory = try? SharedMemory(mapping: FileDescriptor(fd)), let s = SharedTLSSessions(memory) else {
                Log.alert("cannot map the TLS session cache")
                return 1
            }
            sessions = s
        }
        if let fd = o.httpCaches {
            guard let memory = try? SharedMemory(mapping: FileDescriptor(fd)),
                  let region = HTTPCacheRegion(memory, caches: loaded.configuration.caches) else {
                Log.alert("cannot map the caches")
                return 1
            }
            setup.httpCaches = region
        }
        // The stick tables every worker counts into.
        var stickTables: StickTableSet? = nil
        if !o.stickTables.isEmpty {
            guard let regions = try? o.stickTables.map({ fd throws in try SharedMemory(mapping: FileDescriptor(fd)) }),
                  let set = SharedStickTables.attach(loaded.configuration.stickTables, regions) else {
                Log.alert("cannot map the stick tables")
                return 1
            }
            // A change the peers process pushes wakes it (once per push round).
            if let fd = o.peersWake {
                let wake = FileDescriptor(fd)
                set.wakePeers = { EventCounter.signal(wake) }
            }
            stickTables = set
        }
        setup.stickTables = stickTables
        // No region: `tune.ssl.cachesize 0`, no session cache (as HAProxy).
        for case let bind? in setup.bindTLS { bind.share(ticketRing: ring, sessions: sessions) }
        setup.logLinesToStderr = o.debug
        do {
            let worker = try Worker(setup)
            let runtime = RuntimeService(configuration: loaded.configuration, table: table, scope: .worker(o.slot),
                                         addresses: loaded.serverAddresses)
            runtime.stickTables = stickTables
            // Map and ACL commands run on this worker's own copy of the files:
            // the master's changes (sent to every worker) and `@N show map`.
            let patterns = loaded.patterns
            // A rule's set-map & co. goes to the master, which passes it to every worker.
            patterns?.onRuleChange = { worker.tellMaster(.patternChange($0)) }
            worker.cliHandler = { command, level in
                if case .success(let c)? = DynamicCookieCommand.parse(RuntimeCommandLine.words(command)) {
                    worker.applyDynamicCookie(c)
                    return RuntimeCLI.endOfAnswer
                }
                if let p = patterns, let answer = GenerationPatterns.apply(command, to: p) { return answer }
                return worker.answerSessionCommand(command, level: level) ?? runtime.execute(command, level: level)
            }
            runtime.tellWorkers = { worker.obey($0) }
            if let region = setup.httpCaches {
                runtime.showCache = { region.show(now: UInt32(truncatingIfNeeded: WallClock.nowSeconds())) }
            }
            // The stats page shows every worker's counters and changes servers for all of them.
            let shared = RuntimeService(configuration: loaded.configuration, table: table, scope: .allWorkers,
                                        addresses: loaded.serverAddresses)
            shared.events = { line, level, backend in worker.logAdminEvent(line, level: level, backend: backend) }
            shared.tellWorkers = { worker.tellMaster($0) }
            worker.wireLocalServices(snapshot: { shared.snapshot() }, apply: { changes, snapshot in
                for change in changes { shared.apply(change, snapshot: snapshot) }
            })
            // -D: started; from here on the caller's streams are not ours.
            if o.detachStdio { StandardStreams.detach() }
            let status = worker.run()
            withExtendedLifetime(boot.memory) {}
            return status
        } catch {
            Log.alert("worker setup failed: \(error)")
            return 1
        }
    }

    /// Sessions need two descriptors each (four with splice pipes): take the
    /// hard limit, as HAProxy does.
    static func raiseFileLimit() {
        var rl = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 && rl.rlim_cur < rl.rlim_max {
            rl.rlim_cur = rl.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        }
    }
}
