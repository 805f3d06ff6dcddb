import Glibc
import FulcrumConfig
import FulcrumPosix

/// Runs vrrp_script checks and notify scripts as keepalived does: execve of
/// the command (no shell) through `--role program`, which drops to the
/// script user; each in its own process group so a timeout kills whatever it
/// started. Results arrive through `reaped` when SIGCHLD says so.
final class VRRPScriptRunner {
    struct Running { var id: Int; var pid: pid_t; var deadline: Int64? }
    private(set) var running: [Running] = []
    private var nextID = 0
    /// Scripts that outlived their timeout and were killed (pid → id).
    private var killed: Set<pid_t> = []

    /// Starts `arguments`; returns an id for the result, or nil if it could
    /// not be started (logged). `timeout` and `now` in milliseconds.
    func start(_ arguments: [String], user: String?, group: String?, timeout: Int64?, now: Int64) -> Int? {
        guard !arguments.isEmpty else { return nil }
        var args = ["--role", "program"]
        if let user { args += ["--user", user] }
        if let group { args += ["--group", group] }
        args += ["--"] + arguments
        do {
            let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: args,
                                               environment: ProcessSpawner.currentEnvironment(), inherited: [],
                                               argv0: arguments[0], newProcessGroup: true)
            let id = nextID
            nextID += 1
            running.append(Running(id: id, pid: pid, deadline: timeout.map { now + $0 }))
            return id
        } catch {
            Log.alert("cannot run '\(arguments.joined(separator: " "))': \(error)")
            return nil
        }
    }

    /// Kills (the process group of) every script past its deadline; they are
    /// reported as failed when reaped.
    func enforceTimeouts(now: Int64) {
        for r in running where (r.deadline ?? .max) <= now && !killed.contains(r.pid) {
            _ = kill(-r.pid, SIGKILL)
            _ = kill(r.pid, SIGKILL)
            killed.insert(r.pid)
        }
    }

    var nextDeadline: Int64? { running.compactMap { killed.contains($0.pid) ? nil : $0.deadline }.min() }

    /// Reaps exited scripts: (id, succeeded) for each.
    func reaped() -> [(id: Int, succeeded: Bool)] {
        var out: [(Int, Bool)] = []
        while let (pid, status) = Processes.reap() {
            guard let i = running.firstIndex(where: { $0.pid == pid }) else { continue }
            let timedOut = killed.remove(pid) != nil
            out.append((running[i].id, !timedOut && status.exitCode == 0))
            running.remove(at: i)
        }
        return out
    }

    /// On stop: nothing started here outlives the VRRP child.
    func killAll() {
        for r in running { _ = kill(-r.pid, SIGKILL); _ = kill(r.pid, SIGKILL) }
    }
}
