import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The bgp_instance blocks run in the keepalived child next to the VRRP
/// elections: they read the same tracked state (vrrp_script results, links,
/// backends in the shared table, the proxy's workers) and, like VIPs held by
/// VRRP, must not follow a generation's drain. `BGPAnnouncer` decides and
/// talks to BIRD; this file feeds it and reports to the master.
extension VRRPSpeaker {
    /// The tracked state of a bgp_instance: every script succeeds, every
    /// interface is up, every backend has a usable server, every frontend
    /// serves, and the proxy's workers run.
    func bgpHealthy(_ c: BGPInstanceConfig) -> Bool {
        if !configuration.frontends.isEmpty && proxyWorkers == 0 { return false }
        for t in c.trackInterfaces {
            if linkUp[t.name] == nil { refreshLinkState(t.name) }
            if linkUp[t.name] != true { return false }
        }
        for t in c.trackScripts {
            guard let s = scripts.first(where: { $0.config.name == t.name }), !s.disabled else { continue }
            if !s.ok { return false }
        }
        for t in c.trackBackends where !backendUsable(t.name) { return false }
        for t in c.trackFrontends {
            guard let fi = configuration.frontends.firstIndex(where: { $0.name == t.name }) else { return false }
            let state = FrontendAdminState(rawValue: table.frontend(fi, .adminState).load()) ?? .open
            if state != .open || configuration.frontends[fi].binds.isEmpty { return false }
        }
        return true
    }

    /// One announcer pass, then its reports to the master, then its next pass.
    func runBGP(now: Int64) {
        guard let bgp else { return }
        let next = bgp.run(now: now, healthy: bgpHealthy)
        for (name, state) in bgp.reports() {
            _ = UnixSocket.sendMessage(control, ControlMessage.bgpState(instance: name, state: state).encode())
        }
        if let status = bgp.takeStatusChange() {
            _ = UnixSocket.sendMessage(control, ControlMessage.birdStatus(status).encode())
        }
        if bgp.stopping && bgp.drained && !bgpDrainReported {
            bgpDrainReported = true
            _ = UnixSocket.sendMessage(control, ControlMessage.bgpDrained.encode())
        }
        bgpTimer.arm(max(next, now + 1), EventToken(kind: Kind.bgp.rawValue), in: loop)
    }

    /// The master's SIGUSR1: withdraw, drain, then say so.
    func stopBGP(now: Int64) {
        guard let bgp else {
            _ = UnixSocket.sendMessage(control, ControlMessage.bgpDrained.encode())
            return
        }
        bgp.stop(now: now)
        runBGP(now: now)
    }
}
