/// One `vrrp_instance` of a keepalived.conf, with the options VRRP tests
/// vary. `text` renders a whole keepalived.conf for it (Fulcrum reads the
/// same syntax, so the lead's tests can feed the same text to both).
struct KeepalivedConfig {
    /// A `vrrp_script` the instance tracks: keepalived runs `command` every
    /// `interval` seconds and adds `weight` to the priority while it fails
    /// (negative weight) or succeeds (positive weight).
    struct TrackScript {
        var name = "chk"
        /// Command line, run by keepalived: an absolute path to a root-owned
        /// executable, then arguments (quoted with ' where needed), e.g.
        /// `/bin/sh -c 'test ! -e /tmp/x/down'`.
        var command: String
        var interval: Int = 1
        var weight: Int = -60
        var fall: Int = 1
        var rise: Int = 1
    }

    var instanceName = "VI_1"
    var routerID = "node"
    var interface = VRRPLab.interface
    var vrid = 51
    var priority = 100
    /// "MASTER" or "BACKUP" (the initial state).
    var state = "BACKUP"
    /// Seconds; fractions (0.1) need version 3.
    var advertInterval: Double = 1
    /// VRRP version, 2 or 3.
    var version = 2
    /// `authentication { auth_type PASS auth_pass ... }` when set (v2 only).
    var authPass: String?
    /// The `auth_type` written with `authPass`: PASS or AH.
    var authType = "PASS"
    /// Virtual addresses with prefix length, e.g. "10.77.0.200/24".
    var virtualAddresses = ["\(VRRPLab.virtualAddress())/24"]
    /// Unicast peers (and our own source address); empty means multicast.
    var unicastSource: String?
    var unicastPeers: [String] = []
    var nopreempt = false
    /// Seconds, when set.
    var preemptDelay: Double?
    var trackScript: TrackScript?
    /// Extra lines inside the vrrp_instance block.
    var extraInstanceLines: [String] = []
    /// Extra lines inside global_defs.
    var globalLines: [String] = []
    /// Blocks placed before the vrrp_instance (vrrp_script ... { }).
    var prelude = ""

    /// The whole keepalived.conf.
    var text: String {
        var lines = ["global_defs {", "    router_id \(routerID)"]
        // Scripts run as root with script security on (no "SECURITY
        // VIOLATION" warning); the command's executable must be root-owned.
        if trackScript != nil { lines += ["    script_user root", "    enable_script_security"] }
        lines += globalLines.map { "    \($0)" }
        lines.append("}")
        if !prelude.isEmpty { lines.append(prelude) }
        if let script = trackScript {
            lines += ["vrrp_script \(script.name) {",
                      "    script \"\(script.command)\"",
                      "    interval \(script.interval)",
                      "    weight \(script.weight)",
                      "    fall \(script.fall)",
                      "    rise \(script.rise)",
                      "}"]
        }
        lines += ["vrrp_instance \(instanceName) {",
                  "    state \(state)",
                  "    interface \(interface)",
                  "    virtual_router_id \(vrid)",
                  "    priority \(priority)",
                  "    advert_int \(KeepalivedConfig.format(advertInterval))",
                  "    version \(version)"]
        if let authPass {
            lines += ["    authentication {", "        auth_type \(authType)", "        auth_pass \(authPass)", "    }"]
        }
        if nopreempt { lines.append("    nopreempt") }
        if let preemptDelay { lines.append("    preempt_delay \(KeepalivedConfig.format(preemptDelay))") }
        if let unicastSource { lines.append("    unicast_src_ip \(unicastSource)") }
        if !unicastPeers.isEmpty {
            lines.append("    unicast_peer {")
            lines += unicastPeers.map { "        \($0)" }
            lines.append("    }")
        }
        lines.append("    virtual_ipaddress {")
        lines += virtualAddresses.map { "        \($0) dev \(interface)" }
        lines.append("    }")
        if let script = trackScript { lines += ["    track_script {", "        \(script.name)", "    }"] }
        lines += extraInstanceLines.map { "    \($0)" }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// "1", "0.1", "2.5": no trailing ".0" (keepalived accepts both, but the
    /// text reads like a hand-written file).
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
