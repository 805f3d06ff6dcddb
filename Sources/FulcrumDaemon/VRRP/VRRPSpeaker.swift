import FulcrumBytes
import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumVRRP

/// The VRRP child on its event loop: one election (`FulcrumVRRP.VRRPInstance`)
/// per vrrp_instance, driven by adverts from raw IP-112 sockets, timers,
/// link events from rtnetlink, tracked scripts, interfaces and backends
/// (read from the shared table), and the master's word on whether the proxy's
/// workers run. It carries out what the elections decide: adverts, VIPs
/// through rtnetlink, gratuitous ARP, notify scripts and state reports to the
/// master (so a restarted child resumes as MASTER without dropping VIPs).
///
/// Time is the loop's monotonic milliseconds; the elections keep counting in
/// microseconds (Skew_Time is (256 - priority)/256 of an interval, finer than
/// a millisecond), so their calls get `electionTime(now)` and their
/// deadlines are rounded up to the next millisecond.
///
/// This file holds its state and its loop; the rest is in extensions, one
/// concern each: VRRPSpeaker+InstanceSetup, +Adverts (the raw sockets),
/// +Actions (VIPs, gratuitous ARP), +Transitions (notify, mail, reports),
/// +Tracking and +Scripts.
final class VRRPSpeaker: EventHandler {
    /// Descriptors (signals, control channel, link events, receive socket by
    /// index) and timers (an election by instance, a vrrp_script's next run,
    /// script timeouts, spaced-out gratuitous ARPs, the backend poll).
    enum Kind: UInt8 {
        case signals, control, routeEvents, receiver
        case election, script, scriptTimeout, arp, trackPoll, processPoll, bgp
    }

    /// One vrrp_instance and what it runs on.
    struct Instance {
        let config: VRRPInstanceConfig
        var election: FulcrumVRRP.VRRPInstance
        let interface: String
        var interfaceIndex: Int32
        let receiver: Int
        let sender: Int
        let destinations: [IPv4Address]
        /// virtual_ipaddress then virtual_ipaddress_excluded, resolved.
        let addresses: [(address: InterfaceAddress, device: String)]
        /// virtual_routes and virtual_rules, resolved: in while MASTER.
        var routes: [RouteMessage] = []
        var rules: [RuleMessage] = []
        var drops: [String: Int] = [:]
        /// The state last announced (notify, mail, master), so a repeat is not mailed twice.
        var notified = VRRPState.initial
        /// Faulted by its own tracking (before its sync group is considered).
        var ownFault = false
        var adjustment = 0
        var timer = LazyTimer()
        /// auth_type AH: the IP identification of the last advert (keepalived's ip_id:
        /// the ICV covers it, so the sender sets it, never 0).
        var ipIdentification: UInt16 = 0
    }

    /// A vrrp_script: its schedule and rise/fall state.
    struct Script {
        let config: VRRPScript
        var ok: Bool
        var streak = 0
        var running: Int?
        var nextRun: Int64 = 0
        /// Insecure under enable_script_security: never run, not tracked.
        var disabled = false
        var timer = LazyTimer()
    }

    let configuration: Configuration
    let table: SharedTable
    let index: TableIndex
    let control: FileDescriptor
    let loop: EventLoop
    private let signals: SignalChannel
    let netlink: RouteNetlink
    private let routeEvents: RouteEventSocket
    let arp: GratuitousARP
    var receivers: [VRRPReceiveSocket] = []
    var senders: [VRRPSendSocket] = []
    /// The interface of each sender, by index.
    var senderInterfaces: [Int32] = []
    var instances: [Instance] = []
    var scripts: [Script] = []
    /// `vrrp_track_process` blocks some instance tracks.
    var processTrackers: [VRRPProcessTracker] = []
    let runner = VRRPScriptRunner()
    /// Who runs scripts that name no user (keepalived_script or root).
    let scriptUser: (user: String?, group: String?)
    /// Link state by interface name (IFF_UP and IFF_RUNNING).
    var linkUp: [String: Bool] = [:]
    var macs: [Int32: MACAddress] = [:]
    var proxyWorkers = 1
    var packet = [UInt8](repeating: 0, count: 4096)
    var message: [UInt8] = []
    var actions: [VRRPAction] = []
    var scriptTimeouts = LazyTimer()
    /// Some instance follows a backend in the shared table.
    private let tracksBackends: Bool
    /// State last announced per sync group (notify and mail only on change).
    var groupStates: [String: VRRPState] = [:]
    /// Gratuitous ARPs due later: vrrp_garp_interval spaces them, and a
    /// MASTER hearing a lower priority sends a second burst after
    /// garp_lower_prio_delay. (due, instance, rounds)
    var pendingARPs: [(due: Int64, instance: Int, rounds: Int)] = []
    /// static_ipaddress, static_routes, static_rules: in from start to stop.
    var statics = Statics()
    /// Interfaces made for use_vmac (kernel indexes), removed at stop.
    var madeLinks: [Int32] = []
    /// bgp_instance blocks (VRRPSpeaker+BGP): nil when there are none.
    var bgp: BGPAnnouncer?
    var bgpTimer = LazyTimer()
    var bgpDrainReported = false

    init(configuration: Configuration, table: SharedTable, control: FileDescriptor, resume: Set<String>) throws {
        self.configuration = configuration
        self.table = table
        index = TableIndex(configuration)
        self.control = control
        loop = try EventLoop(capacity: 64)
        signals = try SignalChannel([SIGTERM, SIGINT, SIGUSR1, SIGCHLD])
        netlink = try RouteNetlink()
        routeEvents = try RouteEventSocket()
        arp = try GratuitousARP()
        try loop.register(signals.fd, .readable, EventToken(kind: Kind.signals.rawValue))
        try control.setNonBlocking()
        try loop.register(control, .readable, EventToken(kind: Kind.control.rawValue))
        try loop.register(routeEvents.fd, .readable, EventToken(kind: Kind.routeEvents.rawValue))
        let vrrp = configuration.vrrp
        tracksBackends = vrrp.instances.contains { !$0.trackBackends.isEmpty }
        scriptUser = VRRPScriptSecurity.defaultUser(vrrp.globalDefinitions)
        scripts = vrrp.scripts.map { Script(config: $0, ok: !$0.initFail) }
        let trackedNames = Set(vrrp.instances.flatMap(\.trackProcesses).map(\.name))
        let tracked = vrrp.trackedProcesses.filter { trackedNames.contains($0.name) }
        if !tracked.isEmpty {
            let running = Self.runningProcesses(withArguments: tracked.contains { $0.fullCommand || $0.parameters != nil })
            processTrackers = tracked.map { VRRPProcessTracker($0, count: VRRPProcessMatch.count($0, in: running)) }
        }
        let usesScripts = !vrrp.scripts.isEmpty || vrrp.instances.contains { !$0.notify.isEmpty }
        if usesScripts && scriptUser.user == nil && vrrp.globalDefinitions.scriptUser == nil {
            Log.warning("WARNING - default user 'keepalived_script' for script execution does not exist - please create.")
        }
        if usesScripts && !vrrp.globalDefinitions.enableScriptSecurity && geteuid() == 0 && scriptUser.user == nil {
            Log.warning("SECURITY VIOLATION - scripts are being executed but script_security not enabled.")
        }
        for k in scripts.indices {
            guard let command = scripts[k].config.command,
                  let why = insecurity(command.arguments, user: scripts[k].config.user ?? scriptUser.user) else { continue }
            scripts[k].disabled = true
            Log.alert("VRRP_Script(\(scripts[k].config.name)) is insecure (\(why)); disabling it")
        }
        statics = try resolveStatics(vrrp.statics)
        change(addresses: statics.addresses, routes: statics.routes, rules: statics.rules, adding: true, owner: "static")
        for c in vrrp.instances { try addInstance(c, globals: vrrp.globalDefinitions) }
        for i in instances.indices { refreshLink(instances[i].interface) }
        for t in vrrp.instances.flatMap(\.trackInterfaces) { refreshLink(t.name) }

        loop.refreshClock()
        let now = loop.now
        if !configuration.bgp.isEmpty { bgp = BGPAnnouncer(configuration.bgp, netlink: netlink, now: now) }
        applyTracking(now: now, starting: true)
        for i in instances.indices {
            if resume.contains(instances[i].config.name) {
                Log.notice("VRRP_Instance(\(instances[i].config.name)) resuming as MASTER (the previous VRRP process ended while MASTER)")
                instances[i].election.resumeAsMaster(now: electionTime(now), actions: &actions)
                if instances[i].election.state == .master { report(i, .master) }
            } else {
                instances[i].election.start(now: electionTime(now), actions: &actions)
            }
            perform(i, now: now)
        }
    }

    // MARK: loop

    func run() -> Int32 {
        _ = UnixSocket.sendMessage(control, ControlMessage.ready.encode())
        let now = loop.now
        for k in scripts.indices { scripts[k].nextRun = now; armScript(k) }
        // The table has no events: backends are polled, and only when tracked.
        if tracksBackends { loop.schedule(EventToken(kind: Kind.trackPoll.rawValue), at: now) }
        if !processTrackers.isEmpty { loop.schedule(EventToken(kind: Kind.processPoll.rawValue), at: now + Self.processPollInterval) }
        runBGP(now: now)
        loop.run(self)
        return shutdown()
    }

    /// The elections' clock (microseconds) at the loop's `now`.
    func electionTime(_ now: Int64) -> Int64 { now * 1000 }

    func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        switch Kind(rawValue: token.kind) {
        case .signals?:
            while let sig = signals.next() {
                switch sig {
                case SIGCHLD: scriptsFinished(now: loop.now)
                default: loop.stop()
                }
            }
        case .control?:
            while let bytes = UnixSocket.receiveMessage(control) {
                if bytes.isEmpty { loop.stop(); break } // the master is gone
                switch ControlMessage.decode(bytes) {
                case .proxyWorkers(let n)?:
                    proxyWorkers = n
                    applyTracking(now: loop.now, starting: false)
                case .bgpStop?:
                    stopBGP(now: loop.now)
                default:
                    break
                }
            }
        case .routeEvents?:
            var changed = false, overflowed = false
            _ = try? routeEvents.drain { event in
                switch event {
                case .link(let l): self.linkUp[l.name] = l.isOperational; self.macs[l.index] = l.mac; changed = true
                case .linkRemoved(let l): self.linkUp[l.name] = false; changed = true
                case .overflow: overflowed = true
                default: break
                }
            }
            // Events were lost: read every link we follow again.
            if overflowed { for name in Array(linkUp.keys) { refreshLink(name) } }
            guard changed || overflowed else { return }
            applyTracking(now: loop.now, starting: false)
        case .receiver?:
            receive(on: token.index)
        default:
            break
        }
    }

    func timerDue(_ token: EventToken, deadline: Int64) {
        let now = loop.now
        switch Kind(rawValue: token.kind) {
        case .election?:
            let i = token.index
            guard instances[i].timer.fire(deadline) else { return }
            guard let d = instances[i].election.nextDeadline, d <= electionTime(now) else { armElection(i); return }
            actions.removeAll(keepingCapacity: true)
            instances[i].election.tick(now: electionTime(now), actions: &actions)
            perform(i, now: now)
        case .script?:
            guard scripts[token.index].timer.fire(deadline) else { return }
            runScript(token.index, now: now)
        case .scriptTimeout?:
            guard scriptTimeouts.fire(deadline) else { return }
            runner.enforceTimeouts(now: now)
            armScriptTimeouts()
        case .arp?:
            sendDueARPs(now: now)
        case .trackPoll?:
            applyTracking(now: now, starting: false)
            loop.schedule(token, at: now + 100)
        case .processPoll?:
            pollProcesses(now: now)
            loop.schedule(token, at: now + Self.processPollInterval)
        case .bgp?:
            guard bgpTimer.fire(deadline) else { return }
            runBGP(now: now)
        default:
            break
        }
    }

    func turnEnded() -> Int64? { nil }

    /// The instance's timer follows its election's next deadline.
    func armElection(_ i: Int) {
        guard let d = instances[i].election.nextDeadline else { return }
        instances[i].timer.arm((d + 999) / 1000, EventToken(kind: Kind.election.rawValue, index: i), in: loop)
    }

    func refreshLinkState(_ name: String) { refreshLink(name) }

    private func refreshLink(_ name: String) {
        if let l = try? netlink.interface(named: name) { linkUp[name] = l.isOperational; macs[l.index] = l.mac }
        else { linkUp[name] = false }
    }

    // MARK: stop

    /// SIGTERM: every MASTER hands over with priority 0 and removes its VIPs.
    private func shutdown() -> Int32 {
        let now = loop.now
        for i in instances.indices {
            actions.removeAll(keepingCapacity: true)
            instances[i].election.shutdown(now: electionTime(now), actions: &actions)
            perform(i, now: now)
        }
        for inst in instances where !inst.drops.isEmpty {
            Log.notice("VRRP_Instance(\(inst.config.name)) dropped adverts: "
                       + inst.drops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        bgp?.shutdown()
        change(addresses: statics.addresses, routes: statics.routes, rules: statics.rules, adding: false, owner: "static")
        removeVirtualMACs()
        runner.killAll()
        return 0
    }
}
