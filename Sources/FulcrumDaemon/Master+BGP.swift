import Glibc
import FulcrumCore
import FulcrumPosix

/// The master's side of the bgp_instance blocks (run by the keepalived
/// child, VRRPSpeaker+BGP): `show bgp`, and the order of a graceful stop:
/// routes withdrawn and drained first, then the workers stop.
extension Master {
    /// SIGUSR1 with BGP instances: asks the child to withdraw and drain; the
    /// loop calls `stopServing` once it says so (or at the deadline).
    /// False when there is nothing to withdraw.
    func withdrawRoutesBeforeStopping() -> Bool {
        guard let v = vrrp, let bgp = current?.loaded.configuration.bgp, !bgp.isEmpty else { return false }
        bgpDrained = false
        guard UnixSocket.sendMessage(v.control, ControlMessage.bgpStop.encode()) else { return false }
        let longest = bgp.instances.map(\.drainTime).max() ?? 0
        // The child's own BIRD exchanges are bounded (BIRDControl): a few seconds' margin.
        bgpDrainDeadline = loop.now + longest + 5000
        event("Withdrawing BGP routes; workers stop after the drain (at most \(longest) ms).", level: .notice)
        return true
    }

    /// The rest of SIGUSR1's graceful stop: drain every generation, stop
    /// programs and the keepalived child, close the listeners.
    func stopServing() {
        for g in generations where g.state != .draining { drain(g) }
        for case let p? in programPids { Processes.signal(p, SIGTERM) }
        if let v = vrrp { Processes.signal(v.pid, SIGTERM) }
        // Nobody accepts any more: close the queues so new clients are refused.
        listeners.closeAll()
    }

    /// `show bgp` on the master CLI: each bgp_instance's state and VIPs, then
    /// BIRD's state as the child last saw it (its protocols, or why it cannot
    /// be reached).
    func showBGP() -> String {
        let instances = current?.loaded.configuration.bgp.instances ?? []
        guard !instances.isEmpty else { return "No BGP instance configured.\n" }
        var text = "# instance state vips\n"
        for b in instances {
            let vips = b.virtualAddresses.map { "\($0.address)/\($0.prefixLength)" }.joined(separator: ",")
            text += "\(b.name) \(bgpStates[b.name] ?? "INIT") \(vips)\n"
        }
        let socket = current?.loaded.configuration.bgp.definitions.birdSocket ?? ""
        let lines = birdStatus.split(separator: "\n", omittingEmptySubsequences: false)
        text += "# bird \(socket) \(lines.first ?? "")\n"
        for l in lines.dropFirst() { text += "\(l)\n" }
        return text
    }
}
