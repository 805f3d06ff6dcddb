import Glibc
import FulcrumPosix

/// Reload: load and check the configuration, then re-execute the installed
/// binary (Master+Upgrade), which starts the new generation next to the
/// serving one; failures leave the serving generation as it is and answer
/// whoever asked for the reload.
extension Master {
    /// SIGUSR2, SIGHUP or `reload` on the master CLI: load and check the
    /// configuration; on success start a new generation next to the current
    /// one, which drains once the new one is ready. On error nothing changes.
    func reload(waiter: (Int, CLIServer.Ticket)? = nil) {
        if let w = waiter { reloadWaiters.append((w.0, w.1)) }
        if generations.contains(where: { $0.state == .starting }) {
            // One reload at a time: the newest request runs when this one is done.
            reloadPending = true
            return
        }
        guard let cur = current, phase == .running else {
            answerReloadWaiters(success: false, errors: "not running (starting or stopping)\n")
            return
        }
        reloads += 1
        notifier.send("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.nowMicroseconds())\nSTATUS=Reloading")
        event("Reloading (reload \(reloads)).", level: .notice)
        guard loadForReload(cur) != nil else { return }
        // Returns only if the binary cannot take over; then nothing changed.
        let failure = reexecute()
        failedReloads += 1
        lastReloadError = failure
        event("Reload failed: \(failure); generation \(cur.number) keeps serving.", level: .alert)
        notifier.send("READY=1\nSTATUS=Reload failed: \(failure)")
        answerReloadWaiters(success: false, errors: failure + "\n")
    }

    /// The configuration for a reload, or nil after reporting its errors.
    func loadForReload(_ cur: Generation) -> LoadedConfiguration? {
        let loaded = ConfigLoader.load(paths: options.configPaths)
        if loaded.hasErrors {
            let errors = loaded.diagnostics.filter { $0.severity == .alert }.map(\.description).joined(separator: "\n")
            for line in errors.split(separator: "\n") { Log.alert(String(line)) }
            failedReloads += 1
            lastReloadError = errors
            event("Reload failed: invalid configuration; generation \(cur.number) keeps serving.", level: .alert)
            notifier.send("READY=1\nSTATUS=Reload failed: invalid configuration")
            answerReloadWaiters(success: false, errors: errors + "\n")
            return nil
        }
        if let environment = loaded.configuration.global.environment { ProcessSpawner.replaceEnvironment(with: environment) }
        return loaded
    }

    /// Starts a generation for `loaded` next to the current one.
    func startGeneration(_ loaded: LoadedConfiguration) {
        guard let cur = current else { return }
        let c = loaded.configuration
        let slots = c.global.workerCount(onlineProcessors: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let g: Generation
        do {
            let perSlot = try listeners.assign(loaded, slots: slots)
            g = try Generation(number: nextGeneration, loaded: loaded, slots: slots, perSlot: perSlot, previous: cur)
        } catch let e as ListenerError {
            abandonConfig(e.messages.joined(separator: "\n"))
            return
        } catch {
            abandonConfig("\(error)")
            return
        }
        g.patterns.carry(from: cur.patterns, readThen: cur.loaded.patternFiles, readNow: loaded.patternFiles)
        nextGeneration += 1
        generations.append(g)
        startPrograms(c, reload: true)
        if !startChildren(g) { abandon(g, reason: "cannot start the new workers") }
    }

    private func abandonConfig(_ reason: String) {
        failedReloads += 1
        lastReloadError = reason
        event("Reload failed: \(reason)", level: .alert)
        notifier.send("READY=1\nSTATUS=Reload failed")
        answerReloadWaiters(success: false, errors: reason + "\n")
        listeners.retain(only: generations.map { $0.perSlot })
    }

    func answerReloadWaiters(success: Bool, errors: String) {
        let text = success ? "Success=1\n" : "Success=0\n--\n" + errors
        for w in reloadWaiters { cliServers[w.server].complete(w.ticket, text, runner: self) }
        reloadWaiters.removeAll()
    }
}
