import Foundation
import Glibc

/// A small Ethernet segment made of network namespaces, for VRRP tests: a
/// "switch" namespace holding a Linux bridge, `nodeCount` node namespaces and
/// one client namespace, each joined to the bridge by a veth pair.
///
///     client 10.77.0.100 ──┐
///     node 1 10.77.0.11 ───┤ br0 (switch namespace)
///     node 2 10.77.0.12 ───┘
///
/// Inside every node and the client the interface is `eth0` (so configs can
/// name it without knowing the test); on the bridge side the ports are
/// `n1`, `n2`, ... and `cl`. Setting a bridge port down takes the carrier
/// away from the node's `eth0`, which is what "cut its link" means: the node
/// sees its link go down and the others stop hearing it. Sysctls
/// (arp_ignore, arp_announce...) are the kernel's defaults of a new namespace.
///
/// Namespace names are `vrrplab-PID-N-ROLE`, unique per test process and lab.
/// Create labs with `XCTestCase.makeVRRPLab`, which destroys the lab (and
/// every process started in it) when the test ends, pass or fail; a lab left
/// by a crashed earlier run (its PID no longer alive) is removed first.
final class VRRPLab {
    static let namePrefix = "vrrplab"
    /// The /24 every lab uses; namespaces isolate labs from one another.
    static let subnet = "10.77.0"
    static let clientAddress = "\(subnet).100"
    /// The interface name inside node and client namespaces.
    static let interface = "eth0"
    /// A free address on the segment for a virtual IP (".200", ".201", ...).
    static func virtualAddress(_ index: Int = 0) -> String { "\(subnet).\(200 + index)" }

    /// Unique part of the names: "vrrplab-PID-N".
    let name: String
    let nodeCount: Int
    /// Files of processes started in the lab (logs, configs, pid files).
    let directory: TemporaryDirectory
    let switchNamespace: String
    let clientNamespace: String

    private let lock = NSLock()
    private var processes: [VRRPLabProcess] = []
    private var destroyed = false

    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    /// Builds the lab; throws (after removing what it made) if any step fails.
    /// Prefer `XCTestCase.makeVRRPLab`, which also registers the teardown.
    /// - namePrefix: the first word of the namespaces' names (`BGPLab`,
    ///   built on this segment, names its own).
    init(nodes: Int, namePrefix: String = VRRPLab.namePrefix) throws {
        precondition((1...9).contains(nodes), "a lab has 1 to 9 nodes")
        VRRPLab.removeStaleLabs(prefix: namePrefix)
        let serial: Int = VRRPLab.counterLock.withLock {
            VRRPLab.counter += 1
            return VRRPLab.counter
        }
        name = "\(namePrefix)-\(getpid())-\(serial)"
        nodeCount = nodes
        switchNamespace = "\(name)-sw"
        clientNamespace = "\(name)-cl"
        directory = try TemporaryDirectory(prefix: name)
        do {
            try build()
        } catch {
            destroy()
            throw error
        }
    }

    /// Namespace of node `index` (1-based).
    func nodeNamespace(_ index: Int) -> String {
        precondition((1...nodeCount).contains(index), "node \(index) is not in this lab (1...\(nodeCount))")
        return "\(name)-n\(index)"
    }

    /// The node's own address: 10.77.0.(10 + index).
    func nodeAddress(_ index: Int) -> String { "\(VRRPLab.subnet).\(10 + index)" }

    /// The bridge-side veth of node `index` (in the switch namespace).
    func bridgePort(_ index: Int) -> String { "n\(index)" }

    var nodeNamespaces: [String] { (1...nodeCount).map(nodeNamespace) }
    var allNamespaces: [String] { [switchNamespace] + nodeNamespaces + [clientNamespace] }

    // MARK: - Commands

    /// Runs `tool` inside `namespace` (`ip netns exec`) and waits for it.
    @discardableResult
    func run(in namespace: String, _ tool: String, _ arguments: [String], timeout: Double = 10) throws -> CommandResult {
        let executable = try Tools.find(tool) ?? { throw HarnessError.failed("\(tool): not found in PATH") }()
        return try CommandRunner.run("ip", ["netns", "exec", namespace, executable] + arguments, timeout: timeout)
    }

    /// Like `run` but throws with the command's output unless it succeeded;
    /// returns its stdout.
    @discardableResult
    func runChecked(in namespace: String, _ tool: String, _ arguments: [String], timeout: Double = 10) throws -> String {
        let result = try run(in: namespace, tool, arguments, timeout: timeout)
        guard result.succeeded else {
            throw HarnessError.failed("in \(namespace): \(tool) \(arguments.joined(separator: " ")): "
                                      + "\(result.exit)\(result.timedOut ? " (timed out)" : ""): \(result.output)")
        }
        return result.stdout
    }

    /// Starts `tool` inside `namespace` in the background; its output goes to
    /// `directory/label.stdout` and `.stderr`. The lab stops it on destroy.
    func start(in namespace: String, label: String, _ tool: String, _ arguments: [String]) throws -> VRRPLabProcess {
        let executable = try Tools.find(tool) ?? { throw HarnessError.failed("\(tool): not found in PATH") }()
        let process = try VRRPLabProcess(label: label, namespace: namespace, executable: executable,
                                         arguments: arguments, directory: directory.path)
        lock.withLock { processes.append(process) }
        return process
    }

    /// Processes started with `start`, in order.
    var startedProcesses: [VRRPLabProcess] { lock.withLock { processes } }

    // MARK: - Links and addresses

    /// Cuts node `index`'s link: its bridge port goes down, so the node's
    /// eth0 loses carrier and nothing passes either way.
    func cutLink(node index: Int) throws {
        try ipChecked(["-n", switchNamespace, "link", "set", bridgePort(index), "down"])
    }

    /// Restores a link cut by `cutLink`.
    func restoreLink(node index: Int) throws {
        try ipChecked(["-n", switchNamespace, "link", "set", bridgePort(index), "up"])
    }

    /// IPv4 addresses (without prefix length) on node `index`'s eth0, in the
    /// kernel's order: its own address first, then any VIPs.
    func ipv4Addresses(node index: Int) throws -> [String] {
        try ipv4Addresses(namespace: nodeNamespace(index))
    }

    func ipv4Addresses(namespace: String, interface: String = VRRPLab.interface) throws -> [String] {
        let output = try ipChecked(["-n", namespace, "-4", "-o", "addr", "show", "dev", interface])
        // "2: eth0    inet 10.77.0.11/24 brd 10.77.0.255 scope global eth0\ ..."
        return output.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard let inet = words.firstIndex(of: "inet"), inet + 1 < words.count else { return nil }
            return String(words[inet + 1].split(separator: "/")[0])
        }
    }

    /// Nodes (1-based) whose eth0 holds `address`.
    func owners(of address: String) throws -> [Int] {
        try (1...nodeCount).filter { try ipv4Addresses(node: $0).contains(address) }
    }

    /// Waits until exactly `node` holds `address` (nil: no node does).
    @discardableResult
    func waitForOwner(_ address: String, node: Int?, timeout: Double) -> Bool {
        waitUntil(timeout: timeout, interval: 0.05) {
            (try? owners(of: address)) == (node.map { [$0] } ?? [])
        }
    }

    // MARK: - Teardown

    /// Stops every process started through the lab, kills anything else
    /// still inside its namespaces, and deletes the namespaces (which takes
    /// the veths and the bridge with them). Idempotent.
    func destroy() {
        let toStop: [VRRPLabProcess] = lock.withLock {
            if destroyed { return [] }
            destroyed = true
            return processes
        }
        for process in toStop { process.stop(grace: 2) }
        for namespace in allNamespaces where VRRPLab.namespaceExists(namespace) {
            VRRPLab.removeNamespace(namespace)
        }
        directory.remove()
    }

    deinit { destroy() }

    // MARK: - Private

    private func build() throws {
        let sw = switchNamespace
        try ipChecked(["netns", "add", sw])
        try ipChecked(["-n", sw, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0",
                       "mcast_snooping", "0"])
        try ipChecked(["-n", sw, "link", "set", "br0", "up"])
        var members: [(namespace: String, port: String, address: String)] =
            (1...nodeCount).map { (nodeNamespace($0), bridgePort($0), nodeAddress($0)) }
        members.append((clientNamespace, "cl", VRRPLab.clientAddress))
        for member in members {
            try ipChecked(["netns", "add", member.namespace])
            try ipChecked(["-n", sw, "link", "add", member.port, "type", "veth",
                           "peer", "name", VRRPLab.interface, "netns", member.namespace])
            try ipChecked(["-n", sw, "link", "set", member.port, "master", "br0"])
            try ipChecked(["-n", sw, "link", "set", member.port, "up"])
            try ipChecked(["-n", member.namespace, "link", "set", "lo", "up"])
            try ipChecked(["-n", member.namespace, "addr", "add", "\(member.address)/24", "dev", VRRPLab.interface])
            try ipChecked(["-n", member.namespace, "link", "set", VRRPLab.interface, "up"])
        }
    }

    @discardableResult
    private func ipChecked(_ arguments: [String]) throws -> String {
        let result = try CommandRunner.run("ip", arguments, timeout: 10)
        guard result.succeeded else {
            throw HarnessError.failed("ip \(arguments.joined(separator: " ")): \(result.exit): \(result.output)")
        }
        return result.stdout
    }

    private static func namespaceExists(_ namespace: String) -> Bool {
        access("/run/netns/\(namespace)", F_OK) == 0
    }

    /// Kills whatever still runs in `namespace` (SIGKILL: teardown must not
    /// wait on anything) and deletes it.
    static func removeNamespace(_ namespace: String) {
        for _ in 0..<3 {
            let pids = (try? CommandRunner.run("ip", ["netns", "pids", namespace], timeout: 5))?.stdout
                .split(whereSeparator: { $0 == "\n" || $0 == " " }).compactMap { pid_t($0) } ?? []
            if pids.isEmpty { break }
            for pid in pids where pid != getpid() { kill(pid, SIGKILL) }
            waitUntil(timeout: 2) { pids.allSatisfy { !ProcessTree.isAlive($0) } }
        }
        _ = try? CommandRunner.run("ip", ["netns", "del", namespace], timeout: 10)
    }

    /// Removes namespaces named `vrrplab-PID-...` whose PID is not running,
    /// with the processes inside them and their /tmp directories: leftovers
    /// of a test process that crashed before its teardown. Labs of live
    /// processes (another test run at the same time) are left alone.
    static func removeStaleLabs(prefix namePrefix: String = VRRPLab.namePrefix) {
        for entry in ProcessTree.directoryEntries("/run/netns") where entry.hasPrefix(namePrefix + "-") {
            let fields = entry.split(separator: "-")
            guard fields.count >= 2, let owner = pid_t(fields[1]) else { continue }
            if owner == getpid() || ProcessTree.isAlive(owner) { continue }
            removeNamespace(entry)
        }
        // The dead run's files: /tmp/vrrplab-PID-N.XXXXXX.
        for entry in ProcessTree.directoryEntries("/tmp") where entry.hasPrefix(namePrefix + "-") {
            let fields = entry.split(separator: "-")
            guard fields.count >= 3, let owner = pid_t(fields[1]),
                  owner != getpid(), !ProcessTree.isAlive(owner) else { continue }
            _ = try? CommandRunner.run("rm", ["-rf", "/tmp/\(entry)"], timeout: 10)
        }
    }
}
