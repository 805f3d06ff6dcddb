import Glibc
import FulcrumBGP
import FulcrumBytes
import FulcrumConfig
import FulcrumPosix

/// The bgp_instance blocks at run time, in the keepalived child: one
/// `VIPAnnouncement` per instance, fed with the tracked state every
/// `interval`, and what their decisions mean on this host.
///
/// How BIRD is told: Fulcrum writes a BIRD include holding one static
/// protocol with a device route per announced VIP (`BIRDStaticProtocol`),
/// then sends `configure` over BIRD's control socket. Chosen over BIRD's
/// `direct` protocol on the VIP interface because the route must go before
/// the address does: a drain withdraws the route while the VIP still answers
/// the flows in flight. Chosen over `enable`/`disable protocol` because the
/// file is also what BIRD reads when it (re)starts: a BIRD restarted, or
/// started after Fulcrum, announces exactly what Fulcrum decided, with no
/// replay. BIRD reconfigures a static protocol in place (only the changed
/// routes move) and leaves unchanged BGP sessions up.
///
/// A missing or stopped BIRD is reported (`bird` messages to the master,
/// `show bgp`) and the `configure` retried every `bird_retry`; the file is
/// right meanwhile.
final class BGPAnnouncer {
    struct Instance {
        let config: BGPInstanceConfig
        var machine: VIPAnnouncement
        var nextSample: Int64
        /// The state last reported to the master.
        var reported: VIPAnnouncement.State?
    }

    let definitions: BGPDefinitions
    var instances: [Instance]
    private let bird: BIRDControl
    private let netlink: RouteNetlink
    /// Routes written in the include the previous announcer left, that no
    /// instance announces now: withdrawn at once, their VIPs released after a drain.
    private var orphans: [(address: IPv4Address, prefixLength: Int)] = []
    private var orphansReleaseAt: Int64 = 0
    /// The include on disk differs from what BIRD was told, or BIRD did not answer.
    private var configurePending = false
    private var nextBIRDAttempt: Int64 = 0
    private var nextStatus: Int64 = 0
    /// The last BIRD status reported ("up" + protocols, or why it is unreachable).
    var birdStatus = "unknown"
    private var statusChanged = true
    var stopping = false
    private var actions: [VIPAnnouncement.Action] = []

    init(_ config: BGPConfiguration, netlink: RouteNetlink, now: Int64) {
        definitions = config.definitions
        bird = BIRDControl(path: config.definitions.birdSocket)
        self.netlink = netlink
        // What the include says is announced: a reload or a respawned child
        // resumes it instead of withdrawing (BIRD announces that file anyway).
        let previous = Self.readText(config.definitions.birdInclude).flatMap(BIRDStaticProtocol.routes(in:)) ?? []
        instances = config.instances.map { c in
            let settings = VIPAnnouncement.Settings(rise: c.rise, fall: c.fall, holdDown: c.holdDown, drainTime: c.drainTime)
            let announced = !previous.isEmpty && c.virtualAddresses.allSatisfy { previous.contains(Self.route($0)) }
            return Instance(config: c, machine: VIPAnnouncement(settings, announced: announced), nextSample: now)
        }
        let configured = Set(config.instances.flatMap(\.virtualAddresses).map(Self.route))
        for r in previous where !configured.contains(r) {
            let parts = r.split(separator: "/")
            if parts.count == 2, let a = IPv4Address(String(parts[0])), let p = Int(parts[1]) { orphans.append((a, p)) }
        }
        if !orphans.isEmpty {
            Log.notice("BGP: \(orphans.map { "\($0.address)/\($0.prefixLength)" }.joined(separator: ", ")) left the configuration: withdrawn, released after the drain")
            orphansReleaseAt = now + (config.instances.map(\.drainTime).max() ?? BGPInstanceConfig(name: "", location: .init(file: "", line: 0)).drainTime)
        }
        for i in instances.indices { placeAddresses(instances[i].config, adding: true) }
        // Write and configure at once: the file must match the machines from the start.
        configurePending = true
    }

    static func route(_ v: VRRPVirtualAddress) -> String { "\(v.address)/\(v.prefixLength)" }

    /// One pass: sample the instances that are due (`healthy` reads the tracked
    /// state), tick their timers, carry out what they decided, talk to BIRD when
    /// needed. Returns when to come back.
    func run(now: Int64, healthy: (BGPInstanceConfig) -> Bool) -> Int64 {
        var changed = false
        for i in instances.indices {
            actions.removeAll(keepingCapacity: true)
            instances[i].machine.tick(now: now, actions: &actions)
            if !stopping && instances[i].nextSample <= now {
                instances[i].machine.sample(healthy: healthy(instances[i].config), now: now, actions: &actions)
                instances[i].nextSample = now + instances[i].config.interval
            }
            for a in actions {
                switch a {
                case .announce, .withdraw:
                    changed = true
                    Log.notice("BGP_Instance(\(instances[i].config.name)) \(a == .announce ? "announcing" : "withdrawing") \(instances[i].config.virtualAddresses.map(Self.route).joined(separator: ", "))")
                case .release:
                    placeAddresses(instances[i].config, adding: false)
                }
            }
        }
        if !orphans.isEmpty && now >= orphansReleaseAt {
            for o in orphans { changeAddress(o.address, o.prefixLength, adding: false) }
            orphans.removeAll()
        }
        if changed { configurePending = true; nextBIRDAttempt = min(nextBIRDAttempt, now) }
        if configurePending && now >= nextBIRDAttempt { configure(now: now) }
        if now >= nextStatus { refreshStatus(now: now) }
        var next = nextStatus
        if configurePending { next = min(next, nextBIRDAttempt) }
        if !orphans.isEmpty { next = min(next, orphansReleaseAt) }
        for inst in instances {
            if !stopping { next = min(next, inst.nextSample) }
            if let d = inst.machine.nextDeadline { next = min(next, d) }
        }
        return next
    }

    /// SIGUSR1 on the master: withdraw everything, release after the drains.
    func stop(now: Int64) {
        stopping = true
        for i in instances.indices {
            actions.removeAll(keepingCapacity: true)
            instances[i].machine.stop(now: now, actions: &actions)
            if actions.contains(.release) { placeAddresses(instances[i].config, adding: false) }
        }
        configurePending = true
        nextBIRDAttempt = now
    }

    /// Every instance stopped, and BIRD told so (or unreachable: a BIRD that
    /// does not answer has no session announcing anything).
    var drained: Bool {
        instances.allSatisfy { $0.machine.state == .stopped } && (!configurePending || !birdStatus.hasPrefix("up"))
    }

    /// The child ends (SIGTERM): withdraw at once, release every VIP.
    func shutdown() {
        for i in instances.indices where instances[i].machine.state != .stopped {
            placeAddresses(instances[i].config, adding: false)
        }
        for o in orphans { changeAddress(o.address, o.prefixLength, adding: false) }
        stopping = true
        instances = instances.map { var s = $0; var a: [VIPAnnouncement.Action] = []; s.machine.stop(now: .max / 2, actions: &a); return s }
        configure(now: 0)
    }

    /// States to report to the master since the last call.
    func reports() -> [(String, String)] {
        var out: [(String, String)] = []
        for i in instances.indices where instances[i].reported != instances[i].machine.state {
            instances[i].reported = instances[i].machine.state
            out.append((instances[i].config.name, instances[i].machine.state.rawValue))
        }
        return out
    }

    func takeStatusChange() -> String? {
        guard statusChanged else { return nil }
        statusChanged = false
        return birdStatus
    }

    // MARK: BIRD

    private func configure(now: Int64) {
        let routes = instances.filter { $0.machine.isAnnounced }.flatMap(\.config.virtualAddresses)
            .map { (address: "\($0.address)", prefixLength: $0.prefixLength) }
        let text = BIRDStaticProtocol.render(protocol: definitions.birdProtocol, interface: definitions.vipInterface, routes: routes)
        do {
            try Self.writeAtomically(text, to: definitions.birdInclude)
        } catch {
            setStatus("cannot write \(definitions.birdInclude): \(error)")
            nextBIRDAttempt = now + definitions.birdRetry
            return
        }
        switch bird.run("configure") {
        case .success:
            configurePending = false
            nextStatus = now
        case .failure(let why):
            setStatus("configure failed: \(why)")
            nextBIRDAttempt = now + definitions.birdRetry
        }
    }

    private func refreshStatus(now: Int64) {
        nextStatus = now + definitions.birdRetry
        switch bird.run("show protocols") {
        case .success(let reply):
            let rows = reply.protocols.map { "\($0.name) \($0.proto) \($0.state)" + ($0.info.isEmpty ? "" : " \($0.info)") }
            setStatus((configurePending ? "up, configure pending\n" : "up\n") + rows.joined(separator: "\n"))
        case .failure(let why):
            setStatus("unreachable: \(why)")
        }
    }

    private func setStatus(_ s: String) {
        guard s != birdStatus else { return }
        if !s.hasPrefix("up") && (birdStatus.hasPrefix("up") || birdStatus == "unknown") {
            Log.alert("BGP: BIRD at \(definitions.birdSocket): \(s); retrying every \(definitions.birdRetry) ms")
        } else if s.hasPrefix("up") && !birdStatus.hasPrefix("up") {
            Log.notice("BGP: BIRD at \(definitions.birdSocket) answers")
        }
        birdStatus = s
        statusChanged = true
    }

    static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let file = FileDescriptor(fd)
        defer { file.close() }
        return (try? file.readAll()).map { String(decoding: $0, as: UTF8.self) }
    }

    static func writeAtomically(_ text: String, to path: String) throws(Errno) {
        let temporary = path + ".fulcrum-tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Errno.current }
        let file = FileDescriptor(fd)
        do { try file.writeAll(Array(text.utf8)) } catch { file.close(); unlink(temporary); throw error }
        file.close()
        guard rename(temporary, path) == 0 else { let e = Errno.current; unlink(temporary); throw e }
    }

    // MARK: addresses

    private func placeAddresses(_ c: BGPInstanceConfig, adding: Bool) {
        for v in c.virtualAddresses {
            if case .v4(let a) = v.address { changeAddress(a, v.prefixLength, adding: adding) }
        }
    }

    private func changeAddress(_ a: IPv4Address, _ prefix: Int, adding: Bool) {
        let name = definitions.vipInterface
        guard let link = try? netlink.interface(named: name) else {
            Log.alert("BGP: vip_interface \(name) does not exist; create it (ip link add \(name) type dummy) or name an existing one (lo)")
            return
        }
        let address = InterfaceAddress(interfaceIndex: link.index, address: a, prefixLength: UInt8(prefix))
        do {
            if adding { _ = try netlink.addAddress(address) } else { _ = try netlink.deleteAddress(address) }
        } catch {
            Log.alert("BGP: cannot \(adding ? "add" : "remove") \(a)/\(prefix) \(adding ? "to" : "from") \(name): \(error)")
        }
    }
}
