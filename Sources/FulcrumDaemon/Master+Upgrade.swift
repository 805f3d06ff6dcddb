import Glibc
import FulcrumPosix

/// Binary upgrade: a reload re-executes the master from the installed path,
/// so replacing the file and reloading runs the new build with the same pid,
/// sockets, children and state. The new image finishes the reload (see
/// `Master.runAfterUpgrade`).
extension Master {
    /// Replaces this process image; returns only when that cannot happen, with
    /// why. Before anything is touched, the binary at the installed path must
    /// pass a configuration check of its own, so a broken file fails the
    /// reload instead of taking the service down.
    func reexecute() -> String {
        if let failure = probeInstalledBinary() { return failure }
        // Answers a child owes to the master CLI cannot follow us through exec.
        for (id, f) in forwards {
            forwards[id] = nil
            cliServers[f.server].complete(f.ticket, "The master was re-executed before the process answered.\n", runner: self)
        }
        let state = handover()
        let blob: FileDescriptor
        do { blob = try SealedBlob.make(name: "fulcrum-handover", bytes: Array(state.encode().utf8)) } catch {
            return "cannot write the handover state: \(error)"
        }
        let kept = state.descriptors + [blob.rawValue]
        for fd in kept { try? FileDescriptor(fd).setCloseOnExec(false) }
        var arguments: [String] = []
        var skip = false
        for a in CommandLine.arguments.dropFirst() {
            if skip { skip = false; continue }
            if a == "--upgrade-state" { skip = true; continue }
            arguments.append(a)
        }
        arguments += ["--upgrade-state", String(blob.rawValue)]
        Log.notice("Re-executing \(installedPath) for reload \(reloads).")
        let error = ProcessSpawner.exec(path: installedPath, arguments: arguments,
                                        environment: ProcessSpawner.currentEnvironment())
        for fd in kept { try? FileDescriptor(fd).setCloseOnExec(true) }
        blob.close()
        return "cannot re-execute \(installedPath): \(error)"
    }

    /// Runs `BINARY -c` on the configuration (or `-v` when the configuration
    /// names inherited `fd@N` sockets the check could not see), then asks it
    /// which handover format it reads.
    private func probeInstalledBinary() -> String? {
        let usesInherited = current?.loaded.configuration.frontends.contains { f in
            f.binds.contains { b in b.addresses.contains { if case .inheritedFD = $0 { return true }; return false } }
        } ?? false
        let arguments = usesInherited ? ["-v"]
            : ["-c", "-q"] + options.configArguments + options.configPaths.flatMap { ["-f", $0] }
        do {
            let (status, output) = try ProcessSpawner.runToCompletion(
                path: installedPath, arguments: arguments, environment: ProcessSpawner.currentEnvironment(),
                timeoutMilliseconds: 10_000)
            guard status.exitCode == 0 else {
                let detail = output.split(separator: "\n").prefix(5).joined(separator: "\n")
                return "the binary at \(installedPath) failed its check (\(status))" + (detail.isEmpty ? "" : ":\n" + detail)
            }
            // It must read the state this image hands over.
            let (formatStatus, format) = try ProcessSpawner.runToCompletion(
                path: installedPath, arguments: ["--handover-format"], environment: ProcessSpawner.currentEnvironment(),
                timeoutMilliseconds: 10_000)
            let spoken = format.split(separator: "\n").first.map(String.init) ?? ""
            guard formatStatus.exitCode == 0, spoken == MasterHandover.format else {
                return "the binary at \(installedPath) cannot take over from this one "
                    + "(it reads '\(spoken)', this one writes '\(MasterHandover.format)')"
            }
            return nil
        } catch {
            return "cannot run the binary at \(installedPath): \(error)"
        }
    }

    /// Everything the next image needs, by descriptor number.
    private func handover() -> MasterHandover {
        var h = MasterHandover()
        h.reloads = reloads
        h.failedReloads = failedReloads
        h.nextGeneration = nextGeneration
        h.startedWall = startedWall
        h.lastReloadError = lastReloadError
        h.reloadPending = reloadPending
        h.listeners = listeners.export()
        h.cli = cliServers.map {
            MasterHandover.CLIEndpoint(path: $0.path, fd: $0.listener.rawValue, isMasterCLI: $0.isMasterCLI,
                                       level: $0.level, idleTimeout: $0.idleTimeout,
                                       exposesListeners: $0.exposedListeners != nil)
        }
        var byClient: [String: Int] = [:]
        for w in reloadWaiters {
            let key = "\(w.server).\(w.ticket.client)"
            if let i = byClient[key] { h.waiting[i].reloadIndexes.append(w.ticket.index); continue }
            guard let c = cliServers[w.server].waitingClient(w.ticket.client) else { continue }
            byClient[key] = h.waiting.count
            h.waiting.append(.init(server: w.server, fd: c.fd.rawValue, answers: c.answers, reloadIndexes: [w.ticket.index]))
        }
        for g in generations where g.state != .starting {
            var r = MasterHandover.Generation(
                number: g.number, draining: g.state == .draining, slots: g.slots, table: g.tableMemory.fd.rawValue,
                config: g.configBlob.rawValue, startedAt: g.startedAt, startedWall: g.startedWall,
                drainStarted: g.drainStarted, reloadsSurvived: g.reloadsSurvived, carriedTotals: g.carriedTotals,
                failures: g.failures,
                perSlot: g.perSlot.map { $0.map { .init(fd: $0.fd.rawValue, frontend: $0.frontend, bind: $0.bind, ownerSlot: $0.ownerSlot) } },
                children: [], tlsSessions: g.tlsSessions?.fd.rawValue, stickTables: g.stickTables.map(\.fd.rawValue),
                certificateCommits: g.certificates.commits,
                patternChanges: g.patterns.journal)
            r.httpCaches = g.httpCaches?.fd.rawValue
            r.peersWake = g.peersWake?.rawValue
            for (i, c) in g.children.enumerated() {
                guard let c else { continue }
                r.children.append(.init(index: i, pid: c.pid, control: c.control.rawValue, startedAt: c.startedAt,
                                        startedWall: c.startedWall, ready: c.ready))
            }
            h.generations.append(r)
        }
        for (i, pid) in programPids.enumerated() {
            if let pid { h.programs.append(.init(pid: pid, name: programNames[i])) }
        }
        if let v = vrrp {
            h.vrrp = .init(pid: v.pid, control: v.control.rawValue, startedAt: v.startedAt, startedWall: v.startedWall)
        }
        h.vrrpStates = vrrpStates
        return h
    }
}
