import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumVRRP

/// What a state change sets off: the log line, the report to the master,
/// notify scripts, the SMTP alert, and the state of the instance's sync group.
extension VRRPSpeaker {
    func transitioned(_ i: Int, to state: VRRPState) {
        let c = instances[i].config
        let changed = instances[i].notified != state
        if changed { Log.notice("VRRP_Instance(\(c.name)) Entering \(state.keepalivedName) STATE") }
        instances[i].notified = state
        report(i, state)
        notify(c.notify, kind: "INSTANCE", name: c.name, state: state,
               priority: Int(instances[i].election.effectivePriority))
        if changed && c.smtpAlert { mail(name: c.name, isGroup: false, state: state) }
        if let group = c.syncGroup { syncGroupChanged(group) }
    }

    /// keepalived's notify scripts: the state's own script as written, and
    /// `notify` with "INSTANCE|GROUP NAME STATE PRIORITY" appended.
    private func notify(_ scripts: VRRPNotifyScripts, kind: String, name: String, state: VRRPState, priority: Int) {
        let now = loop.now
        let specific: VRRPCommand?
        switch state {
        case .master: specific = scripts.master
        case .backup: specific = scripts.backup
        case .fault: specific = scripts.fault
        case .stop: specific = scripts.stop
        case .initial: specific = nil
        }
        if let s = specific { runNotify(s.arguments, now: now) }
        if let any = scripts.any { runNotify(any.arguments + [kind, name, state.keepalivedName, String(priority)], now: now) }
    }

    private func mail(name: String, isGroup: Bool, state: VRRPState) {
        // The sender is a child of ours; SIGCHLD reaps it with the scripts.
        _ = SMTPAlert.send(globals: configuration.vrrp.globalDefinitions, name: name, isGroup: isGroup,
                           state: state.keepalivedName)
    }

    /// A sync group is in a state when all its instances are (FAULT as soon
    /// as one is); its scripts and mail follow those changes.
    private func syncGroupChanged(_ name: String) {
        guard let group = configuration.vrrp.syncGroup(named: name) else { return }
        let states = instances.filter { group.instances.contains($0.config.name) }.map(\.notified)
        let state: VRRPState
        if states.contains(.fault) { state = .fault }
        else if let first = states.first, states.allSatisfy({ $0 == first }) { state = first }
        else { return }
        guard groupStates[name] != state else { return }
        groupStates[name] = state
        Log.notice("VRRP_Group(\(name)) Syncing instances to \(state.keepalivedName) state")
        notify(group.notify, kind: "GROUP", name: name, state: state, priority: 0)
        if group.smtpAlert { mail(name: name, isGroup: true, state: state) }
    }

    func report(_ i: Int, _ state: VRRPState) {
        _ = UnixSocket.sendMessage(control, ControlMessage.vrrpState(instance: instances[i].config.name,
                                                                     state: state.keepalivedName).encode())
    }
}
