import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The VRRP child belongs to the master, not to a generation: its VIPs must
/// not follow a generation's drain. It is (re)started when a generation with
/// vrrp_instance blocks starts serving, and respawned when it dies; in both
/// cases the instances it last reported MASTER resume as MASTER, so neither a
/// reload nor a crash drops a VIP. It hears how many workers serve, so the
/// instances fault when the proxy does not run.
final class VRRPChild {
    var pid: pid_t
    var control: FileDescriptor
    var startedAt: Int64
    var startedWall: Int64
    init(pid: pid_t, control: FileDescriptor, startedAt: Int64, startedWall: Int64) {
        self.pid = pid; self.control = control; self.startedAt = startedAt; self.startedWall = startedWall
    }
}

extension Master {
    /// After `g` became the serving generation.
    func vrrpGenerationPromoted(_ g: Generation) {
        // The same child runs the bgp_instance blocks (VRRPSpeaker+BGP).
        let wanted = !g.loaded.configuration.vrrp.instances.isEmpty || !g.loaded.configuration.bgp.isEmpty
        if let child = vrrp {
            // A new configuration (or table) means a new child; it resumes
            // what this one holds. SIGKILL: a graceful stop would hand over.
            Processes.signal(child.pid, SIGKILL)
            var st: Int32 = 0
            waitpid(child.pid, &st, 0)
            forgetVRRPChild()
            if !wanted {
                // The instances left the configuration: let a child stop them.
                Log.notice("VRRP and BGP instances removed from the configuration; VIPs held and routes in the BIRD include stay until stopped by an operator.")
            }
        }
        vrrpFailures = 0
        if wanted { spawnVRRP(g) }
    }

    func spawnVRRP(_ g: Generation) {
        vrrpRespawnAt = nil
        let pair: (FileDescriptor, FileDescriptor)
        do { pair = try UnixSocket.seqpacketPair() } catch {
            Log.alert("socketpair for the VRRP child: \(error)")
            vrrpRespawnAt = loop.now + 1000
            return
        }
        var args = ["--role", "vrrp"]
        let resume = vrrpStates.filter { $0.value == "MASTER" }.map(\.key).sorted()
        if !resume.isEmpty { args += ["--resume-master", resume.joined(separator: ",")] }
        args += options.childArguments
        do {
            let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: args,
                                               environment: ProcessSpawner.currentEnvironment(),
                                               inherited: [pair.1, g.tableMemory.fd, g.configBlob], argv0: installedPath)
            pair.1.close()
            try? pair.0.setNonBlocking()
            try? loop.register(pair.0, .readable, EventToken(kind: Kind.vrrp.rawValue))
            vrrp = VRRPChild(pid: pid, control: pair.0, startedAt: loop.now,
                             startedWall: WallClock.nowSeconds())
            lastProxyWorkers = -1
            Log.debug("VRRP child started with pid \(pid)" + (resume.isEmpty ? "" : ", resuming MASTER for \(resume.joined(separator: ","))"))
        } catch {
            pair.0.close(); pair.1.close()
            Log.alert("cannot start the VRRP child: \(error)")
            vrrpRespawnAt = loop.now + 1000
        }
    }

    func forgetVRRPChild() {
        guard let child = vrrp else { return }
        loop.remove(child.control)
        child.control.close()
        vrrp = nil
    }

    /// SIGCHLD for the VRRP child: respawn it (resuming MASTER) unless stopping.
    func vrrpExited(status: ExitStatus, stopping: Bool) {
        guard let child = vrrp else { return }
        forgetVRRPChild()
        if stopping { return }
        let lived = loop.now - child.startedAt
        event("VRRP child (pid \(child.pid)) exited with \(status); respawning it.", level: .alert)
        if lived < 2000 { vrrpFailures += 1 } else { vrrpFailures = 0 }
        vrrpRespawnAt = loop.now + (vrrpFailures == 0 ? 0 : min(Int64(100) << min(vrrpFailures - 1, 7), 10_000))
    }

    func vrrpMessages() {
        guard let child = vrrp else { return }
        while let bytes = UnixSocket.receiveMessage(child.control) {
            if bytes.isEmpty { break }
            switch ControlMessage.decode(bytes) {
            case .vrrpState(let instance, let state)?:
                vrrpStates[instance] = state
            case .bgpState(let instance, let state)?:
                bgpStates[instance] = state
            case .birdStatus(let text)?:
                birdStatus = text
            case .bgpDrained?:
                bgpDrained = true
            case .ready?:
                Log.debug("VRRP child (pid \(child.pid)) ready")
            default:
                Log.warning("unexpected control message from the VRRP child")
            }
        }
    }

    /// Tells the VRRP child how many workers of the serving generation run.
    func reportProxyWorkers() {
        guard let child = vrrp, let g = current else { return }
        let n = g.children.indices.filter { if case .worker = g.roles[$0] { return g.children[$0] != nil }; return false }.count
        guard n != lastProxyWorkers else { return }
        if UnixSocket.sendMessage(child.control, ControlMessage.proxyWorkers(n).encode()) { lastProxyWorkers = n }
    }

    /// `show vrrp` on the master CLI: each instance's last reported state.
    func showVRRP() -> String {
        let configured = current?.loaded.configuration.vrrp.instances.map(\.name) ?? []
        guard !configured.isEmpty || !vrrpStates.isEmpty else { return "No VRRP instance configured.\n" }
        var text = "# instance state\n"
        for name in configured { text += "\(name) \(vrrpStates[name] ?? "INIT")\n" }
        if let v = vrrp { text += "# vrrp process \(v.pid)\n" } else { text += "# vrrp process not running\n" }
        return text
    }
}
