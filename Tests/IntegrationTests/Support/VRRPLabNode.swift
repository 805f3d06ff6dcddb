import Glibc

/// A VRRP speaker running on a lab node — keepalived or Fulcrum — seen
/// through its log: both log "(VI_1) Entering MASTER STATE" on a transition,
/// so the tests drive and compare them the same way.
protocol VRRPLabNode: AnyObject {
    var node: Int { get }
    var name: String { get }
    var process: VRRPLabProcess { get }
    var log: String { get }
    /// The process to SIGKILL to crash the VRRP speaker (not its parent).
    var vrrpChildPid: pid_t? { get }
}

extension VRRPLabNode {
    /// States `instance` entered, in order ("BACKUP", "MASTER", "FAULT"),
    /// from lines like "(VI_1) Entering MASTER STATE".
    func states(instance: String = "VI_1") -> [String] {
        let marker = "(\(instance)) Entering "
        return log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: marker) else { return nil }
            return line[range.upperBound...].split(separator: " ").first.map(String.init)
        }
    }

    /// The state `instance` entered last, if any.
    func state(instance: String = "VI_1") -> String? { states(instance: instance).last }

    /// Waits until `instance` has made more than `after` transitions and the
    /// last one entered `state` ("MASTER", "BACKUP", "FAULT"). Pass the count
    /// of `states()` taken before an action to wait for a new transition.
    func waitForState(_ state: String, instance: String = "VI_1", after: Int = 0, timeout: Double) throws {
        let reached = waitUntil(timeout: timeout, interval: 0.02) {
            let seen = states(instance: instance)
            return seen.count > after && seen.last == state
        }
        guard reached else {
            throw HarnessError.timeout("\(name) entering \(state) within \(timeout) s "
                                       + "(states: \(states(instance: instance))); log tail:\n" + logTail())
        }
    }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(lines: Int = 40) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM (a MASTER hands over with priority 0); SIGKILL after `grace`.
    @discardableResult
    func stop(grace: Double = 5) -> ExitStatus { process.stop(grace: grace) }
}

/// Fulcrum on a lab node, reading a keepalived.conf (or a Fulcrum config
/// with vrrp_instance blocks) as it is.
final class FulcrumVRRPNode: VRRPLabNode {
    let node: Int
    let configPath: String
    /// The master CLI (-S).
    let masterSocket: String
    let process: VRRPLabProcess
    var name: String { "fulcrum on node \(node)" }

    func masterCommand(_ command: String) throws -> String { try MasterCLI.send(command, socketPath: masterSocket) }

    /// - arguments: more command-line options (`-i ID`).
    init(lab: VRRPLab, node: Int, config: String, arguments: [String] = []) throws {
        self.node = node
        configPath = try lab.directory.write("f\(node).conf", config)
        masterSocket = lab.directory.file("f\(node).sock")
        process = try lab.start(in: lab.nodeNamespace(node), label: "f\(node)", try FulcrumBinary.path(),
                                ["-f", configPath, "-S", masterSocket] + arguments)
    }

    convenience init(lab: VRRPLab, node: Int, config: KeepalivedConfig) throws {
        try self.init(lab: lab, node: node, config: config.text)
    }

    var log: String { process.stderr + process.stdout }

    /// The master's `--role vrrp` child.
    var vrrpChildPid: pid_t? {
        ProcessTree.children(of: process.pid).first { pid in
            guard let args = ProcessTree.commandLine(of: pid), let role = args.firstIndex(of: "--role") else { return false }
            return args.index(after: role) < args.endIndex && args[args.index(after: role)] == "vrrp"
        }
    }
}
