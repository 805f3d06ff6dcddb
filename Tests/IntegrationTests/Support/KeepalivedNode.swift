import Glibc

/// keepalived (VRRP only, in the foreground, logging to the console) running
/// in one node namespace of a `VRRPLab`, with its own config and pid files
/// under the lab's directory, so several run side by side on one host
/// without seeing each other's pid files.
final class KeepalivedNode: VRRPLabNode {
    let node: Int
    let configPath: String
    let pidPath: String
    let vrrpPidPath: String
    let process: VRRPLabProcess

    /// Starts keepalived on `node` with `config` (a whole keepalived.conf).
    /// Skips the test when keepalived is not installed.
    init(lab: VRRPLab, node: Int, config: String) throws {
        try requireTool("keepalived")
        self.node = node
        let base = "\(lab.directory.path)/k\(node)"
        configPath = try lab.directory.write("k\(node).conf", config)
        pidPath = "\(base).pid"
        vrrpPidPath = "\(base).vrrp.pid"
        // -n: stay in the foreground (the parent, which forks the VRRP
        // child); -l -D: detailed log on the console (stderr); -G: no syslog;
        // -P: VRRP only. Checker and BFD pid files are named too, so no
        // default /run path is ever consulted.
        process = try lab.start(in: lab.nodeNamespace(node), label: "k\(node)", "keepalived", [
            "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
            "--use-file=\(configPath)", "--pid=\(pidPath)", "--vrrp_pid=\(vrrpPidPath)",
            "--checkers_pid=\(base).check.pid", "--bfd_pid=\(base).bfd.pid",
        ])
    }

    convenience init(lab: VRRPLab, node: Int, config: KeepalivedConfig) throws {
        try self.init(lab: lab, node: node, config: config.text)
    }

    var name: String { "keepalived on node \(node)" }

    /// Everything keepalived logged so far (it writes to stderr; stdout is
    /// included in case a build logs there).
    var log: String { process.stderr + process.stdout }

    /// Pid of the VRRP child (from its pid file), once it has started.
    var vrrpChildPid: pid_t? {
        FileBytes.readText(vrrpPidPath).flatMap { pid_t(String($0.filter(\.isNumber))) }
    }

    /// Log lines in which keepalived rejects or distrusts a peer's packet:
    /// checksum, version, authentication, address count or list, interval,
    /// TTL, length or type mismatches (the phrases of vrrp.c's packet checks
    /// in keepalived 2.2.7), plus its configuration conflict warnings.
    func complaints() -> [String] {
        log.split(separator: "\n").filter { line in
            KeepalivedNode.complaintPhrases.contains { line.contains($0) }
        }.map(String.init)
    }

    /// Substrings of keepalived 2.2.7's packet-check messages (found with
    /// `strings /usr/sbin/keepalived`; "%..." parts left out).
    static let complaintPhrases = [
        "Invalid VRRPv2 checksum", "Invalid VRRPv3 checksum", "checksum to old version",
        "wrong version",
        "auth, expecting", "invalid passwd", "IPSEC-AH", "AH header",
        "unexpected ip number count", "VIPs but received", "not present in MASTER advert",
        "advertisement interval mismatch",
        "invalid TTL/HL", "TTL/HL ", "vrrp packet too ", "Invalid packet type", "ip_tot_len mismatch",
        "not a unicast peer", "icast packet on ", "icast packet but received",
        "CONFIGURATION ERROR", "equal priority advert received from remote host with our IP address",
    ]

}
