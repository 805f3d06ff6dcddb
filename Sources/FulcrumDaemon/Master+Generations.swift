import Glibc
import FulcrumCore
import FulcrumPosix

/// A generation's way from starting to gone: promoted to serve when all its
/// children are ready, abandoned when they cannot start, drained when a newer
/// one serves (bounded by hard-stop-after and mworker-max-reloads), forgotten
/// once no process of it is left.
extension Master {
    /// A generation whose every child is ready starts serving; the previous
    /// current one drains (its workers finish what they have, then exit).
    func promote(_ g: Generation) {
        let previous = current
        g.state = .active
        current = g
        installEventLog(for: g, replacing: previous)
        if let old = previous { drain(old) }
        // Binds the new generation dropped stop taking connections now (the
        // draining workers closed their copies): refused, not left waiting.
        listeners.retain(only: generations.filter { $0.state != .draining }.map { $0.perSlot })
        if phase == .starting { phase = .running }
        vrrpGenerationPromoted(g)
        if previous == nil {
            event("Loading success: \(g.slots) workers, \(listeners.count) listening sockets.", level: .notice)
            notifier.ready(status: "Ready.")
            readyCallback?()
        } else {
            event("Reload \(reloads) done: generation \(g.number) serves with \(g.slots) workers; generation \(previous!.number) drains.", level: .notice)
            notifier.ready(status: "Ready (reload \(reloads)).")
            answerReloadWaiters(success: true, errors: "")
            if reloadPending { reloadPending = false; reload() }
        }
    }

    /// A new generation that could not start: keep serving with the current one.
    func abandon(_ g: Generation, reason: String) {
        event("Reload failed: \(reason); generation \(current?.number ?? 0) keeps serving.", level: .alert)
        kill(g, SIGKILL)
        g.state = .draining
        failedReloads += 1
        lastReloadError = reason
        notifier.send("READY=1\nSTATUS=Reload failed: \(reason)")
        answerReloadWaiters(success: false, errors: reason + "\n")
        collectGoneGenerations()
    }

    func drain(_ g: Generation) {
        g.state = .draining
        g.drainStarted = loop.now
        for (i, c) in g.children.enumerated() {
            guard let c else { continue }
            g.respawnAt[i] = nil
            if case .worker = g.roles[i] { UnixSocket.sendMessage(c.control, ControlMessage.drain.encode()) }
            else { Processes.signal(c.pid, SIGTERM) } // its checks belong to the old table
        }
        // HAProxy counts the reload that made a worker old: with
        // mworker-max-reloads 1, it goes at the second reload.
        for other in generations where other.state == .draining && other !== g { other.reloadsSurvived += 1 }
        g.reloadsSurvived = 1
    }

    /// hard-stop-after and mworker-max-reloads bound how long old workers stay.
    func enforceDrainLimits(now: Int64) {
        for g in generations where g.state == .draining && !g.isGone {
            let global = current?.loaded.configuration.global ?? g.loaded.configuration.global
            let tooLong = global.hardStopAfter.map { now - g.drainStarted >= Int64($0) } ?? false
            let tooMany = global.maxReloads.map { g.reloadsSurvived > $0 } ?? false
            if tooLong || tooMany {
                event("Stopping generation \(g.number)'s remaining processes (\(tooLong ? "hard-stop-after" : "mworker-max-reloads")).", level: .warning)
                kill(g, tooLong ? SIGKILL : SIGTERM)
            }
        }
    }

    /// Forgets generations with no process left and closes the listening
    /// sockets nobody uses any more.
    func collectGoneGenerations() {
        let before = generations.count
        for g in generations where g.state == .draining && g.isGone {
            if let baseline = g.carriedTotals, let cur = current, cur !== g {
                TableCarryOver.addLate(final: TableCarryOver.totals(g.table, g.loaded.configuration), baseline: baseline,
                                       to: cur.table, cur.loaded.configuration)
            }
        }
        generations.removeAll { $0.state == .draining && $0.isGone }
        if generations.count != before { listeners.retain(only: generations.map { $0.perSlot }) }
    }
}
