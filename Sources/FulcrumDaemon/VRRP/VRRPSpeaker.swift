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
final class VRRPSpeaker: EventHandler {
    /// Descriptors (signals, control channel, link events, receive socket by
    /// index) and timers (an election by instance, a vrrp_script's next run,
    /// script timeouts, spaced-out gratuitous ARPs, the backend poll).
    private enum Kind: UInt8 {
        case signals, control, routeEvents, receiver
        case election, script, scriptTimeout, arp, trackPoll
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
        var drops: [String: Int] = [:]
        /// The state last announced (notify, mail, master), so a repeat is not mailed twice.
        var notified = VRRPState.initial
        /// Faulted by its own tracking (before its sync group is considered).
        var ownFault = false
        var adjustment = 0
        var timer = LazyTimer()
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

    private let configuration: Configuration
    private let table: SharedTable
    private let index: TableIndex
    private let control: FileDescriptor
    private let loop: EventLoop
    private let signals: SignalChannel
    private let netlink: RouteNetlink
    private let routeEvents: RouteEventSocket
    private let arp: GratuitousARP
    private var receivers: [VRRPReceiveSocket] = []
    private var senders: [VRRPSendSocket] = []
    /// The interface of each sender, by index.
    private var senderInterfaces: [Int32] = []
    private var instances: [Instance] = []
    private var scripts: [Script] = []
    private let runner = VRRPScriptRunner()
    /// Who runs scripts that name no user (keepalived_script or root).
    private let scriptUser: (user: String?, group: String?)
    /// Link state by interface name (IFF_UP and IFF_RUNNING).
    private var linkUp: [String: Bool] = [:]
    private var macs: [Int32: MACAddress] = [:]
    private var proxyWorkers = 1
    private var packet = [UInt8](repeating: 0, count: 4096)
    private var message: [UInt8] = []
    private var actions: [VRRPAction] = []
    private var scriptTimeouts = LazyTimer()
    /// Some instance follows a backend in the shared table.
    private let tracksBackends: Bool
    /// State last announced per sync group (notify and mail only on change).
    private var groupStates: [String: VRRPState] = [:]
    /// Gratuitous ARPs due later: vrrp_garp_interval spaces them, and a
    /// MASTER hearing a lower priority sends a second burst after
    /// garp_lower_prio_delay. (due, instance, rounds)
    private var pendingARPs: [(due: Int64, instance: Int, rounds: Int)] = []

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
        for c in vrrp.instances { try addInstance(c, globals: vrrp.globalDefinitions) }
        for i in instances.indices { refreshLink(instances[i].interface) }
        for t in vrrp.instances.flatMap(\.trackInterfaces) { refreshLink(t.name) }

        loop.refreshClock()
        let now = loop.now
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

    private func addInstance(_ c: VRRPInstanceConfig, globals: VRRPGlobalDefinitions) throws {
        guard let name = c.interface ?? c.virtualAddresses.first?.device else {
            throw VRRPSetupError("VRRP_Instance(\(c.name)): no interface")
        }
        guard let link = try netlink.interface(named: name) else {
            throw VRRPSetupError("VRRP_Instance(\(c.name)): interface \(name) does not exist")
        }
        macs[link.index] = link.mac
        if c.strict && c.isUnicast && link.flags & UInt32(IFF_MULTICAST) != 0 {
            // keepalived's strict mode refuses unicast where multicast works.
            throw VRRPSetupError("VRRP_Instance(\(c.name)): vrrp_strict does not allow unicast peers on \(name), which can multicast")
        }
        let source: IPv4Address
        if case .v4(let a)? = c.sourceAddress {
            source = IPv4Address(a)
        } else if let primary = try netlink.primaryIPv4Address(interfaceIndex: link.index) {
            source = primary.address
        } else {
            throw VRRPSetupError("VRRP_Instance(\(c.name)): interface \(name) has no IPv4 address to advertise from")
        }
        var group: IPv4Address? = nil
        if !c.isUnicast, case .v4(let g) = globals.multicastGroup4 { group = IPv4Address(g) }
        let destinations: [IPv4Address] = c.isUnicast
            ? c.unicastPeers.compactMap { if case .v4(let a) = $0.address { return IPv4Address(a) }; return nil }
            : [group ?? .vrrpMulticast]

        let receiver: Int
        if let r = receivers.firstIndex(where: { $0.interfaceIndex == link.index }) {
            receiver = r
            if let group { try receivers[r].join(group) }
        } else {
            let r = try VRRPReceiveSocket(interfaceName: name, interfaceIndex: link.index, multicastGroup: group)
            try loop.register(r.fd, .readable, EventToken(kind: Kind.receiver.rawValue, index: receivers.count))
            receivers.append(r)
            receiver = receivers.count - 1
        }
        let sender: Int
        if let s = senders.indices.first(where: { senders[$0].source == source && senderInterfaces[$0] == link.index }) {
            sender = s
        } else {
            senders.append(try VRRPSendSocket(interfaceName: name, interfaceIndex: link.index, source: source))
            senderInterfaces.append(link.index)
            sender = senders.count - 1
        }

        var addresses: [(InterfaceAddress, String)] = []
        for v in c.virtualAddresses + c.excludedAddresses {
            guard case .v4(let a) = v.address else { continue }
            let device = v.device ?? name
            var ifindex = link.index
            if device != name {
                guard let other = try netlink.interface(named: device) else {
                    throw VRRPSetupError("VRRP_Instance(\(c.name)): interface \(device) of \(v.address) does not exist")
                }
                ifindex = other.index
                macs[other.index] = other.mac
            }
            var broadcast: IPv4Address? = nil
            if case .v4(let b)? = v.broadcast { broadcast = IPv4Address(b) }
            addresses.append((InterfaceAddress(interfaceIndex: ifindex, address: IPv4Address(a),
                                               prefixLength: UInt8(v.prefixLength), broadcast: broadcast,
                                               label: v.label, scope: AddressScope(rawValue: v.scope)), device))
        }
        var auth = VRRPAuthentication.none
        if case .pass(let p)? = c.authentication, c.version == 2 { auth = .password(VRRPPassword(p)) }
        let advertised = c.virtualAddresses.compactMap { v -> VRRPAddress? in
            if case .v4(let a) = v.address { return VRRPAddress(a) }
            return nil
        }
        var parameters = VRRPInstanceParameters(
            vrid: UInt8(c.virtualRouterID), version: c.version == 3 ? .v3 : .v2, priority: UInt8(clamping: c.priority),
            advertIntervalCentiseconds: UInt16(clamping: c.advertInterval),
            initialState: c.state == .master ? .master : .backup, preempt: !c.nopreempt,
            preemptDelay: Int64(c.preemptDelay) * 1_000_000, primaryAddress: VRRPAddress(source.value),
            virtualAddresses: advertised, authentication: auth, unicast: c.isUnicast,
            garpMasterDelay: Int64(c.garpMasterDelay) * 1_000_000, garpMasterRepeat: c.garpMasterRepeat,
            garpMasterRefresh: Int64(c.garpMasterRefresh) * 1_000_000,
            garpMasterRefreshRepeat: max(1, c.garpMasterRefreshRepeat))
        parameters.skipCheckAdvertAddresses = c.skipCheckAdvertAddresses
        if c.checkUnicastSource && c.isUnicast { parameters.acceptedSources = destinations.map { VRRPAddress($0.value) } }
        instances.append(Instance(config: c, election: FulcrumVRRP.VRRPInstance(parameters), interface: name,
                                  interfaceIndex: link.index, receiver: receiver, sender: sender,
                                  destinations: destinations, addresses: addresses))
        Log.notice("VRRP_Instance(\(c.name)) on \(name): vrid \(c.virtualRouterID), priority \(c.priority), "
                   + "v\(c.version), advert \(Double(c.advertInterval) / 100) s, "
                   + (c.isUnicast ? "unicast to \(destinations.map(\.description).joined(separator: ","))" : "multicast")
                   + " from \(source)")
    }

    // MARK: loop

    func run() -> Int32 {
        _ = UnixSocket.sendMessage(control, ControlMessage.ready.encode())
        let now = loop.now
        for k in scripts.indices { scripts[k].nextRun = now; armScript(k) }
        // The table has no events: backends are polled, and only when tracked.
        if tracksBackends { loop.schedule(EventToken(kind: Kind.trackPoll.rawValue), at: now) }
        loop.run(self)
        return shutdown()
    }

    /// The elections' clock (microseconds) at the loop's `now`.
    private func electionTime(_ now: Int64) -> Int64 { now * 1000 }

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
                if case .proxyWorkers(let n)? = ControlMessage.decode(bytes) {
                    proxyWorkers = n
                    applyTracking(now: loop.now, starting: false)
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
        default:
            break
        }
    }

    func turnEnded() -> Int64? { nil }

    /// The instance's timer follows its election's next deadline.
    private func armElection(_ i: Int) {
        guard let d = instances[i].election.nextDeadline else { return }
        instances[i].timer.arm((d + 999) / 1000, EventToken(kind: Kind.election.rawValue, index: i), in: loop)
    }

    private func refreshLink(_ name: String) {
        if let l = try? netlink.interface(named: name) { linkUp[name] = l.isOperational; macs[l.index] = l.mac }
        else { linkUp[name] = false }
    }

    // MARK: adverts in

    private func receive(on r: Int) {
        let socket = receivers[r]
        while true {
            let length: Int
            do {
                length = try packet.withUnsafeMutableBytes { buffer throws(Errno) in try socket.receive(into: buffer).length }
            } catch {
                return // .again: drained
            }
            let now = loop.now
            packet.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<length])
                guard let vrid = VRRPPacket.vrid(ofIPv4Packet: bytes) else { return }
                for i in instances.indices where instances[i].receiver == r && instances[i].config.virtualRouterID == Int(vrid) {
                    let c = instances[i].config
                    do {
                        let advert = try VRRPPacket.decode(ipv4Packet: bytes, rules: instances[i].election.receiveRules)
                        let wasMaster = instances[i].election.state == .master
                        let lower = advert.advertisement.priority != 0
                            && advert.advertisement.priority < instances[i].election.effectivePriority
                        actions.removeAll(keepingCapacity: true)
                        instances[i].election.receive(advert, now: electionTime(now), actions: &actions)
                        if wasMaster && lower {
                            // Strict mode (lower_prio_no_advert): no advert back to a lower priority.
                            if c.strict { actions.removeAll { if case .sendAdvertisement = $0 { return true }; return false } }
                            if c.garpLowerPriorityRepeat > 0 {
                                actions.append(.sendGratuitousARP(rounds: c.garpLowerPriorityRepeat))
                                if c.garpLowerPriorityDelay > 0 {
                                    later(announcing: i, rounds: c.garpLowerPriorityRepeat,
                                          at: now + Int64(c.garpLowerPriorityDelay) * 1000)
                                }
                            }
                        }
                        perform(i, now: now)
                    } catch {
                        let key = "\(error)"
                        instances[i].drops[key, default: 0] += 1
                        // keepalived logs each bad packet; once per reason and power of two here.
                        let n = instances[i].drops[key]!
                        if n & (n - 1) == 0 {
                            Log.warning("VRRP_Instance(\(instances[i].config.name)) dropped an advert: \(error) (\(n) so far)")
                        }
                    }
                }
            }
        }
    }

    // MARK: actions out

    private func perform(_ i: Int, now: Int64) {
        for action in actions {
            switch action {
            case .sendAdvertisement(let priority):
                sendAdvert(i, priority: priority)
            case .addVirtualAddresses:
                for (a, device) in instances[i].addresses {
                    do { try netlink.addAddress(a) } catch {
                        Log.alert("VRRP_Instance(\(instances[i].config.name)) cannot add \(a.address)/\(a.prefixLength) to \(device): \(error)")
                    }
                }
            case .removeVirtualAddresses:
                for (a, device) in instances[i].addresses {
                    do { try netlink.deleteAddress(a) } catch {
                        Log.alert("VRRP_Instance(\(instances[i].config.name)) cannot remove \(a.address) from \(device): \(error)")
                    }
                }
            case .sendGratuitousARP(let rounds):
                let interval = configuration.vrrp.globalDefinitions.garpInterval
                if interval <= 0 {
                    for _ in 0..<max(1, rounds) { announce(i) }
                } else {
                    // vrrp_garp_interval: one round now, the others spaced out.
                    announce(i)
                    // (The interval is in microseconds.)
                    for k in 1..<max(1, rounds) { later(announcing: i, rounds: 1, at: now + (Int64(k) * interval + 999) / 1000) }
                }
            case .notify(let state):
                transitioned(i, to: state)
            }
        }
        actions.removeAll(keepingCapacity: true)
        armElection(i)
    }

    /// Gratuitous ARPs for instance `i` at `due`, if it is still MASTER then.
    private func later(announcing i: Int, rounds: Int, at due: Int64) {
        pendingARPs.append((due, i, rounds))
        loop.schedule(EventToken(kind: Kind.arp.rawValue), at: due)
    }

    /// One gratuitous ARP for each of the instance's addresses.
    private func announce(_ i: Int) {
        for (a, _) in instances[i].addresses {
            guard let mac = macs[a.interfaceIndex] else { continue }
            try? arp.send(announcing: a.address, interfaceIndex: a.interfaceIndex, mac: mac)
        }
    }

    private func sendDueARPs(now: Int64) {
        guard pendingARPs.contains(where: { $0.due <= now }) else { return }
        let due = pendingARPs.filter { $0.due <= now }
        pendingARPs.removeAll { $0.due <= now }
        for d in due where instances[d.instance].election.state == .master {
            for _ in 0..<d.rounds { announce(d.instance) }
        }
    }

    private func sendAdvert(_ i: Int, priority: UInt8) {
        let advert = instances[i].election.advertisement(priority: priority)
        let source = VRRPAddress(senders[instances[i].sender].source.value)
        for destination in instances[i].destinations {
            VRRPPacket.encode(advert, source: source, destination: VRRPAddress(destination.value), into: &message)
            do {
                _ = try message.withUnsafeBytes { buffer throws(Errno) in try senders[instances[i].sender].send(buffer, to: destination) }
            } catch {
                Log.debug("VRRP_Instance(\(instances[i].config.name)) cannot send to \(destination): \(error)")
            }
        }
    }

    private func transitioned(_ i: Int, to state: VRRPState) {
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

    private func report(_ i: Int, _ state: VRRPState) {
        _ = UnixSocket.sendMessage(control, ControlMessage.vrrpState(instance: instances[i].config.name,
                                                                     state: state.keepalivedName).encode())
    }

    // MARK: tracking

    /// Faults and priorities of every instance from its interface, tracked
    /// interfaces, scripts and backends, whether the proxy's workers run, and
    /// its sync group (which faults together).
    private func applyTracking(now: Int64, starting: Bool) {
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
        for t in c.trackBackends {
            apply(VRRPTrackWeight.effect(ok: backendUsable(t.name), weight: t.weight, reverse: t.reverse))
        }
        if !configuration.frontends.isEmpty && proxyWorkers == 0 { fault = true }
        instances[i].ownFault = fault
        instances[i].adjustment = adjustment
    }

    /// A backend can take traffic: some server is UP and not in maintenance or drain.
    private func backendUsable(_ name: String) -> Bool {
        guard let b = configuration.backends.firstIndex(where: { $0.name == name }) else { return false }
        let (active, backup) = table.usableServers(backend: b, of: configuration, index: index)
        return active + backup > 0
    }

    /// Why a script may not run under enable_script_security, or nil.
    private func insecurity(_ arguments: [String], user: String?) -> String? {
        guard configuration.vrrp.globalDefinitions.enableScriptSecurity else { return nil }
        return VRRPScriptSecurity.insecurity(of: arguments, user: user)
    }

    /// Starts a notify script (not tracked) unless script security refuses it.
    private func runNotify(_ arguments: [String], now: Int64) {
        if let why = insecurity(arguments, user: scriptUser.user) {
            Log.alert("notify script '\(arguments.joined(separator: " "))' is insecure (\(why)); not run")
            return
        }
        _ = runner.start(arguments, user: scriptUser.user, group: scriptUser.group, timeout: nil, now: now)
    }

    /// Starts vrrp_script `k` if its run is due and the previous one ended.
    private func runScript(_ k: Int, now: Int64) {
        if scripts[k].running == nil && scripts[k].nextRun <= now, let command = scripts[k].config.command {
            let s = scripts[k].config
            scripts[k].running = runner.start(command.arguments, user: s.user ?? scriptUser.user,
                                              group: s.user != nil ? s.group : scriptUser.group,
                                              timeout: Int64(s.effectiveTimeout) * 1000, now: now)
            scripts[k].nextRun = now + Int64(max(1, s.interval)) * 1000
            armScriptTimeouts()
        }
        armScript(k)
    }

    /// A script's timer: its next run, once the current one has ended.
    private func armScript(_ k: Int) {
        guard !scripts[k].disabled, scripts[k].config.command != nil, scripts[k].running == nil else { return }
        scripts[k].timer.arm(scripts[k].nextRun, EventToken(kind: Kind.script.rawValue, index: k), in: loop)
    }

    private func armScriptTimeouts() {
        scriptTimeouts.arm(runner.nextDeadline ?? 0, EventToken(kind: Kind.scriptTimeout.rawValue), in: loop)
    }

    private func scriptsFinished(now: Int64) {
        var changed = false
        for (id, succeeded) in runner.reaped() {
            guard let k = scripts.firstIndex(where: { $0.running == id }) else { continue }
            scripts[k].running = nil
            armScript(k)
            let s = scripts[k].config
            // rise/fall: consecutive results needed to change state.
            if succeeded == scripts[k].ok { scripts[k].streak = 0; continue }
            scripts[k].streak += 1
            if scripts[k].streak >= (succeeded ? s.rise : s.fall) {
                scripts[k].ok = succeeded
                scripts[k].streak = 0
                changed = true
                Log.notice("VRRP_Script(\(s.name)) \(succeeded ? "succeeded" : "failed")")
            }
        }
        if changed { applyTracking(now: now, starting: false) }
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
        runner.killAll()
        return 0
    }
}

struct VRRPSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
