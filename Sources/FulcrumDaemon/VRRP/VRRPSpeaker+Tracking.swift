import FulcrumCore

/// What faults an instance or moves its priority: its interface, tracked
/// interfaces, scripts and backends, the proxy's workers, its sync group.
extension VRRPSpeaker {
    /// Faults and priorities of every instance from its interface, tracked
    /// interfaces, scripts and backends, whether the proxy's workers run, and
    /// its sync group (which faults together).
    func applyTracking(now: Int64, starting: Bool) {
        for i in instances.indices { evaluateTracking(i) }
        for i in instances.indices {
            var fault = instances[i].ownFault
            if let group = instances[i].config.syncGroup {
                fault = fault || instances.contains { $0.config.syncGroup == group && $0.ownFault }
            }
            instances[i].election.setPriorityAdjustment(instances[i].adjustment)
            actions.removeAll(keepingCapacity: true)
            instances[i].election.setFault(fault, now: electionTime(now), actions: &actions)
            if !starting { perform(i, now: now) }
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func evaluateTracking(_ i: Int) {
        let c = instances[i].config
        // dont_track_primary: the instance's own interface going down is not a fault.
        var fault = !c.dontTrackPrimary && linkUp[instances[i].interface] == false
        var adjustment = 0
        func apply(_ e: VRRPTrackWeight.Effect) { fault = fault || e.fault; adjustment += e.adjustment }
        for t in c.trackInterfaces {
            apply(VRRPTrackWeight.effect(ok: linkUp[t.name] ?? false, weight: t.weight, reverse: t.reverse))
        }
        for t in c.trackScripts {
            guard let s = scripts.first(where: { $0.config.name == t.name }), !s.disabled else { continue }
            apply(VRRPTrackWeight.effect(ok: s.ok, weight: t.weight ?? s.config.weight, reverse: t.reverse || s.config.weightReverse))
        }
        for t in c.trackProcesses {
            guard let p = processTrackers.first(where: { $0.process.name == t.name }) else { continue }
            apply(VRRPTrackWeight.effect(ok: p.up, weight: t.weight ?? p.process.weight,
                                         reverse: t.reverse || p.process.weightReverse))
        }
        for t in c.trackBackends {
            apply(VRRPTrackWeight.effect(ok: backendUsable(t.name), weight: t.weight, reverse: t.reverse))
        }
        if !configuration.frontends.isEmpty && proxyWorkers == 0 { fault = true }
        instances[i].ownFault = fault
        instances[i].adjustment = adjustment
    }

    /// A backend can take traffic: some server is UP and not in maintenance or drain.
    func backendUsable(_ name: String) -> Bool {
        guard let b = configuration.backends.firstIndex(where: { $0.name == name }) else { return false }
        let (active, backup) = table.usableServers(backend: b, of: configuration, index: index)
        return active + backup > 0
    }
}
