import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The processes the master starts: a generation's workers and checker
/// (posix_spawn of its own binary with the descriptors they inherit), the
/// `program` sections; reaping them, and respawning a current generation's
/// children with a back-off when they keep dying.
extension Master {
    func startChildren(_ g: Generation) -> Bool {
        for i in g.roles.indices where !spawn(g, i) { return false }
        return true
    }

    private func spawn(_ g: Generation, _ i: Int) -> Bool {
        let role = g.roles[i]
        let pair: (FileDescriptor, FileDescriptor)
        do { pair = try UnixSocket.seqpacketPair() } catch {
            Log.alert("socketpair: \(error)")
            return false
        }
        var args: [String]
        var inherited = [pair.1, g.tableMemory.fd, g.configBlob]
        switch role {
        case .worker(let slot):
            // Committed certificates wait in its control channel: it reads
            // them before it accepts a connection.
            // So do the map and ACL changes made since the files were read.
            // The queue must not block the master: room is made first.
            try? pair.0.setNonBlocking()
            UnixSocket.enlargeSendBuffer(pair.0, bytes: 64 << 20)
            for m in g.certificates.replay where !UnixSocket.sendMessage(pair.0, m.encode()) {
                Log.warning("cannot send a committed certificate to a new worker")
            }
            for text in g.patterns.journal
            where !UnixSocket.sendMessage(pair.0, ControlMessage.cliRequest(id: ControlMessage.unansweredRequest, level: 2, command: text).encode()) {
                Log.warning("cannot send a map/acl change to a new worker")
            }
            let entries = g.perSlot[slot]
            args = ["--role", "worker", "--slot", String(slot)]
            if !entries.isEmpty {
                args += ["--listeners", entries.map { "\($0.frontend).\($0.bind)" + ($0.ownerSlot.map { ".x\($0)" } ?? "") }.joined(separator: ",")]
            }
            inherited += entries.map { $0.fd }
            if let sessions = g.tlsSessions {
                // Inherited descriptors are numbered from 3 in order.
                args += ["--tls-sessions", String(3 + inherited.count)]
                inherited.append(sessions.fd)
            }
            if let caches = g.httpCaches {
                args += ["--http-caches", String(3 + inherited.count)]
                inherited.append(caches.fd)
            }
            if !g.stickTables.isEmpty {
                args += ["--stick-tables", g.stickTables.indices.map { String(3 + inherited.count + $0) }.joined(separator: ",")]
                inherited += g.stickTables.map(\.fd)
            }
            if let wake = g.peersWake {
                args += ["--peers-wake", String(3 + inherited.count)]
                inherited.append(wake)
            }
        case .checker:
            args = ["--role", "checker"]
        case .peers:
            args = ["--role", "peers", "--stick-tables", g.stickTables.indices.map { String(3 + inherited.count + $0) }.joined(separator: ",")]
            inherited += g.stickTables.map(\.fd)
            if g.peersLearn { args.append("--peers-learn") }
            if let wake = g.peersWake {
                args += ["--peers-wake", String(3 + inherited.count)]
                inherited.append(wake)
            }
        }
        args += options.childArguments
        do {
            let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: args,
                                               environment: ProcessSpawner.currentEnvironment(), inherited: inherited,
                                               argv0: installedPath)
            pair.1.close()
            try? pair.0.setNonBlocking()
            try? loop.register(pair.0, .readable, childToken(i, of: g))
            g.children[i] = Child(role: role, pid: pid, control: pair.0, startedAt: loop.now,
                                  startedWall: WallClock.nowSeconds())
            Log.debug("generation \(g.number) \(role.name) started with pid \(pid)")
            return true
        } catch {
            pair.0.close(); pair.1.close()
            Log.alert("cannot start \(role.name): \(error)")
            return false
        }
    }

    func startPrograms(_ c: Configuration, reload: Bool) {
        for (i, p) in c.programs.enumerated() {
            // HAProxy: on reload, programs with start-on-reload get a new instance.
            if reload {
                guard p.startOnReload else { continue }
                if let j = programNames.firstIndex(of: p.name), let old = programPids[j] { Processes.signal(old, SIGTERM) }
            }
            var args = ["--role", "program"]
            if let u = p.user { args += ["--user", u] }
            if let g = p.group { args += ["--group", g] }
            if options.detachStdio { args.append("--detach-stdio") }
            args += ["--"] + p.command
            do {
                let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: args,
                                                   environment: ProcessSpawner.currentEnvironment(), inherited: [],
                                                   argv0: installedPath)
                programPids.append(pid)
                programNames.append(p.name)
                Log.notice("program '\(p.name)' started with pid \(pid)")
            } catch {
                Log.alert("cannot start program '\(p.name)': \(error)")
            }
            _ = i
        }
    }

    func reapChildren() {
        while let (pid, status) = Processes.reap() {
            if pid == vrrp?.pid {
                vrrpExited(status: status, stopping: phase == .stoppingFast || phase == .stoppingGracefully)
                continue
            }
            if let i = programPids.firstIndex(where: { $0 == pid }) {
                programPids[i] = nil
                // As HAProxy: a program that exits is reported, not restarted.
                let quiet = phase == .stoppingFast || phase == .stoppingGracefully
                Log.write(quiet ? .debug : .alert, "program '\(programNames[i])' (pid \(pid)) exited with \(status)")
                continue
            }
            guard let g = generations.first(where: { $0.children.contains { $0?.pid == pid } }),
                  let i = g.children.firstIndex(where: { $0?.pid == pid }), let child = g.children[i] else { continue }
            loop.remove(child.control)
            child.control.close()
            g.children[i] = nil
            // What a worker held in the shared counts went with it.
            if case .worker(let slot) = g.roles[i] { g.table.releaseWorker(slot) }
            failForwards(generation: g.number, child: i)
            if phase == .stoppingFast || phase == .stoppingGracefully || g.state == .draining {
                Log.debug("generation \(g.number) \(child.role.name) (pid \(pid)) exited: \(status)")
                continue
            }
            if g.state == .starting {
                event("New \(child.role.name) (pid \(pid)) exited with \(status) before it was ready.", level: .alert)
                g.startFailed = true
                continue
            }
            let lived = loop.now - child.startedAt
            event("Current \(child.role.name) (pid \(pid)) exited with \(status); respawning it.", level: .alert)
            // Back off when a child keeps dying soon after it starts.
            if lived < 2000 { g.failures[i] += 1 } else { g.failures[i] = 0 }
            let delay = g.failures[i] == 0 ? 0 : min(Int64(100) << min(g.failures[i] - 1, 7), 10_000)
            g.respawnAt[i] = loop.now + delay
        }
    }

    func respawnDue(_ g: Generation, now: Int64) {
        for i in g.roles.indices {
            guard let at = g.respawnAt[i], at <= now else { continue }
            g.respawnAt[i] = nil
            if !spawn(g, i) {
                g.failures[i] += 1
                g.respawnAt[i] = now + min(Int64(100) << min(g.failures[i], 7), 10_000)
            }
        }
    }

    func kill(_ g: Generation, _ signal: Int32) {
        for case let c? in g.children { Processes.signal(c.pid, signal) }
        if signal == SIGKILL {
            // Reap synchronously so nothing is left behind.
            for i in g.children.indices {
                if let c = g.children[i] {
                    var st: Int32 = 0
                    waitpid(c.pid, &st, 0)
                    loop.remove(c.control)
                    c.control.close()
                    g.children[i] = nil
                }
            }
        }
    }
}
