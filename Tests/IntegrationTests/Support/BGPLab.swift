import Foundation
import Glibc
import XCTest

/// A routed lab for BGP announcement tests, made of network namespaces: a
/// "router" namespace whose bridge joins the nodes' segment and whose second
/// link reaches a client; the router forwards with Linux ECMP
/// (`fib_multipath_hash_policy` 1: source and destination ports in the hash).
///
///     client 10.79.1.100 ── cl │ router │ br0 10.79.0.1 ──┬── node 1 10.79.0.11
///                    10.79.1.1 │        │                 ├── node 2 10.79.0.12
///                                                          └── node 3 10.79.0.13
///
/// The VIP (10.79.9.1) belongs to no segment: the client reaches it only
/// through the router's routes, which BIRD on the router learns over BGP
/// from the nodes. Inside nodes and the client the interface is `eth0`.
/// Namespaces are `bgplab-PID-N-ROLE`; `XCTestCase.makeBGPLab` destroys the
/// lab when the test ends, and a lab left by a dead test process is removed
/// first (`VRRPLab.removeStaleLabs`).
final class BGPLab {
    static let namePrefix = "bgplab"
    static let vip = "10.79.9.1"
    static let routerAddress = "10.79.0.1"
    static let clientAddress = "10.79.1.100"

    let name: String
    let nodeCount: Int
    let directory: TemporaryDirectory
    let routerNamespace: String
    let clientNamespace: String
    private let lock = NSLock()
    private var processes: [VRRPLabProcess] = []
    private var destroyed = false
    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    init(nodes: Int) throws {
        precondition((1...9).contains(nodes), "a lab has 1 to 9 nodes")
        VRRPLab.removeStaleLabs(prefix: BGPLab.namePrefix)
        let serial: Int = BGPLab.counterLock.withLock { BGPLab.counter += 1; return BGPLab.counter }
        name = "\(BGPLab.namePrefix)-\(getpid())-\(serial)"
        nodeCount = nodes
        routerNamespace = "\(name)-r"
        clientNamespace = "\(name)-cl"
        directory = try TemporaryDirectory(prefix: name)
        do { try build() } catch { destroy(); throw error }
    }

    func nodeNamespace(_ index: Int) -> String { "\(name)-n\(index)" }
    func nodeAddress(_ index: Int) -> String { "10.79.0.\(10 + index)" }
    var allNamespaces: [String] { [routerNamespace, clientNamespace] + (1...nodeCount).map(nodeNamespace) }

    @discardableResult
    func runChecked(in namespace: String, _ tool: String, _ arguments: [String], timeout: Double = 10) throws -> String {
        let executable = try Tools.find(tool) ?? { throw HarnessError.failed("\(tool): not found in PATH") }()
        let result = try CommandRunner.run("ip", ["netns", "exec", namespace, executable] + arguments, timeout: timeout)
        guard result.succeeded else {
            throw HarnessError.failed("in \(namespace): \(tool) \(arguments.joined(separator: " ")): \(result.exit): \(result.output)")
        }
        return result.stdout
    }

    func start(in namespace: String, label: String, _ tool: String, _ arguments: [String]) throws -> VRRPLabProcess {
        let executable = try Tools.find(tool) ?? { throw HarnessError.failed("\(tool): not found in PATH") }()
        let process = try VRRPLabProcess(label: label, namespace: namespace, executable: executable,
                                         arguments: arguments, directory: directory.path)
        lock.withLock { processes.append(process) }
        return process
    }

    var startedProcesses: [VRRPLabProcess] { lock.withLock { processes } }

    /// The next hops of the router's kernel route to `destination` (one per
    /// ECMP path), in the kernel's order; [] when there is no route.
    func routerNextHops(_ destination: String = BGPLab.vip) -> [String] {
        guard let out = try? CommandRunner.run("ip", ["-n", routerNamespace, "-4", "route", "show", destination], timeout: 5).stdout
        else { return [] }
        let words = out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        return words.indices.filter { words[$0] == "via" && $0 + 1 < words.count }.map { String(words[$0 + 1]) }
    }

    func destroy() {
        let toStop: [VRRPLabProcess] = lock.withLock {
            if destroyed { return [] }
            destroyed = true
            return processes
        }
        for process in toStop { process.stop(grace: 2) }
        for namespace in allNamespaces where VRRPLab.namespaceExists(namespace) { VRRPLab.removeNamespace(namespace) }
        directory.remove()
    }

    deinit { destroy() }

    private func build() throws {
        let r = routerNamespace
        try ip(["netns", "add", r])
        try ip(["-n", r, "link", "set", "lo", "up"])
        try ip(["-n", r, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])
        try ip(["-n", r, "addr", "add", "\(BGPLab.routerAddress)/24", "dev", "br0"])
        try ip(["-n", r, "link", "set", "br0", "up"])
        try runChecked(in: r, "sysctl", ["-qw", "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1"])
        for i in 1...nodeCount {
            let n = nodeNamespace(i)
            try ip(["netns", "add", n])
            try ip(["-n", r, "link", "add", "n\(i)", "type", "veth", "peer", "name", "eth0", "netns", n])
            try ip(["-n", r, "link", "set", "n\(i)", "master", "br0"])
            try ip(["-n", r, "link", "set", "n\(i)", "up"])
            try ip(["-n", n, "link", "set", "lo", "up"])
            try ip(["-n", n, "addr", "add", "\(nodeAddress(i))/24", "dev", "eth0"])
            try ip(["-n", n, "link", "set", "eth0", "up"])
            try ip(["-n", n, "route", "add", "default", "via", BGPLab.routerAddress])
        }
        let c = clientNamespace
        try ip(["netns", "add", c])
        try ip(["-n", r, "link", "add", "cl", "type", "veth", "peer", "name", "eth0", "netns", c])
        try ip(["-n", r, "addr", "add", "10.79.1.1/24", "dev", "cl"])
        try ip(["-n", r, "link", "set", "cl", "up"])
        try ip(["-n", c, "link", "set", "lo", "up"])
        try ip(["-n", c, "addr", "add", "\(BGPLab.clientAddress)/24", "dev", "eth0"])
        try ip(["-n", c, "link", "set", "eth0", "up"])
        try ip(["-n", c, "route", "add", "default", "via", "10.79.1.1"])
    }

    @discardableResult
    private func ip(_ arguments: [String]) throws -> String {
        let result = try CommandRunner.run("ip", arguments, timeout: 10)
        guard result.succeeded else { throw HarnessError.failed("ip \(arguments.joined(separator: " ")): \(result.exit): \(result.output)") }
        return result.stdout
    }
}

extension XCTestCase {
    /// Skips unless root with `ip` and `bird` installed; the lab is destroyed
    /// when the test ends, and the output of its processes printed on a failure.
    func makeBGPLab(nodes: Int) throws -> BGPLab {
        try requireRoot("network namespaces for the BGP lab")
        _ = try requireTool("ip")
        _ = try requireTool("bird")
        let lab = try BGPLab(nodes: nodes)
        addTeardownBlock { [weak self] in
            if let run = self?.testRun, run.totalFailureCount > 0 {
                for process in lab.startedProcesses {
                    let tail = (process.stdout + process.stderr).split(separator: "\n").suffix(40)
                    print("---- \(process.label) in \(process.namespace):\n" + tail.joined(separator: "\n") + "\n----")
                }
            }
            lab.destroy()
            XCTAssertEqual(lab.allNamespaces.filter { access("/run/netns/\($0)", F_OK) == 0 }, [], "namespaces left by \(lab.name)")
        }
        return lab
    }
}
