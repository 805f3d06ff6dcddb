import FulcrumBytes

/// `global_defs`: router id, multicast group, GARP defaults, strict mode,
/// script security and the SMTP alert settings.
extension KeepalivedParser {
    mutating func globalKeyword(_ written: KeepalivedNode) {
        let node = canonical(written)
        let word = node.keyword.text
        switch word {
        case "router_id":
            noBlock(node)
            if let id = single(node, "a router id") { globalDefinitions.routerID = id.text }
        case "vrrp_mcast_group4":
            noBlock(node)
            guard let w = single(node, "an IPv4 multicast address") else { return }
            if let a = IPv4Address(w.text), a.isMulticast {
                globalDefinitions.multicastGroup4 = .v4(a)
            } else {
                alert(w.location, "vrrp_mcast_group4 '\(w.text)' is not an IPv4 multicast address")
            }
        case "vrrp_mcast_group6":
            noBlock(node)
            guard let w = single(node, "an IPv6 multicast address") else { return }
            if let a = IPv6Address(w.text), a.word(0) >> 8 == 0xff {
                notice(node.keyword.location, "vrrp_mcast_group6 has no effect: Fulcrum's VRRP instances are IPv4")
            } else {
                alert(w.location, "vrrp_mcast_group6 '\(w.text)' is not an IPv6 multicast address")
            }
        case "vrrp_garp_master_delay":
            if let n = number(node, 0...Int(Int32.max), "vrrp_garp_master_delay") { globalDefinitions.garpMasterDelay = n }
        case "vrrp_garp_master_repeat":
            if let n = number(node, 0...Int(Int32.max), "vrrp_garp_master_repeat") {
                if n == 0 { warning(node.keyword.location, "vrrp_garp_master_repeat must be greater than 0, setting to 1") }
                globalDefinitions.garpMasterRepeat = max(n, 1)
            }
        case "vrrp_garp_master_refresh":
            if let n = number(node, 0...Int(Int32.max), "vrrp_garp_master_refresh") { globalDefinitions.garpMasterRefresh = n }
        case "vrrp_garp_master_refresh_repeat":
            if let n = number(node, 0...Int(UInt32.max), "vrrp_garp_master_refresh_repeat") {
                if n == 0 { warning(node.keyword.location, "vrrp_garp_master_refresh_repeat must be greater than 0, setting to 1") }
                globalDefinitions.garpMasterRefreshRepeat = max(n, 1)
            }
        case "vrrp_garp_lower_prio_repeat":
            if let n = number(node, 0...Int(Int32.max), "vrrp_garp_lower_prio_repeat") { globalDefinitions.garpLowerPriorityRepeat = n }
        case "vrrp_garp_lower_prio_delay":
            if let n = number(node, 0...Int(Int32.max), "vrrp_garp_lower_prio_delay") { globalDefinitions.garpLowerPriorityDelay = n }
        case "vrrp_garp_interval":
            if let us = garpInterval(node) { globalDefinitions.garpInterval = us }
        case "vrrp_gna_interval":
            // Neighbour advertisements are for IPv6 VIPs, which Fulcrum does not serve.
            if garpInterval(node) != nil {
                notice(node.keyword.location, "vrrp_gna_interval has no effect: Fulcrum's VRRP instances have no IPv6 address")
            }
        case "vrrp_strict":
            presenceFlag(node)
            globalDefinitions.strict = true
            warning(node.keyword.location, "vrrp_strict: Fulcrum does not install firewall rules for VIPs (keepalived's strict mode drops traffic to them with iptables/nftables)")
        case "vrrp_skip_check_adv_addr":
            presenceFlag(node)
            globalDefinitions.skipCheckAdvertAddresses = true
        case "vrrp_check_unicast_src":
            presenceFlag(node)
            globalDefinitions.checkUnicastSource = true
        case "vrrp_version":
            if let n = number(node, 2...3, "vrrp_version") { globalDefinitions.vrrpVersion = n }
        case "vrrp_min_garp":
            // keepalived: one gratuitous ARP, no delay, no refresh.
            if flag(node) == true {
                globalDefinitions.garpMasterDelay = 0
                globalDefinitions.garpMasterRepeat = 1
                globalDefinitions.garpMasterRefresh = 0
            }
        case "enable_script_security":
            if let v = flag(node) { globalDefinitions.enableScriptSecurity = v }
        case "script_user":
            noBlock(node)
            guard let user = node.arguments.first else {
                alert(node.keyword.location, "'script_user' expects a user name and optionally a group")
                return
            }
            globalDefinitions.scriptUser = user.text
            globalDefinitions.scriptGroup = node.arguments.count > 1 ? node.arguments[1].text : nil
            for extra in node.arguments.dropFirst(2) { alert(extra.location, "unexpected argument '\(extra.text)' after 'script_user'") }
        case "notification_email":
            guard let block = needsBlock(node) else { return }
            globalDefinitions.notificationEmail += values(block).map(\.text)
        case "notification_email_from":
            noBlock(node)
            if let w = single(node, "an e-mail address") { globalDefinitions.notificationEmailFrom = w.text }
        case "smtp_server":
            noBlock(node)
            guard let host = node.arguments.first else {
                alert(node.keyword.location, "'smtp_server' expects an address and optionally a port")
                return
            }
            var server = VRRPSMTPServer(host: host.text)
            if node.arguments.count > 1 {
                let p = node.arguments[1]
                if let port = KeepalivedValues.unsigned(p.text, in: 1...65535) { server.port = port } else {
                    alert(p.location, "invalid smtp_server port '\(p.text)'")
                }
            }
            for extra in node.arguments.dropFirst(2) { alert(extra.location, "unexpected argument '\(extra.text)' after 'smtp_server'") }
            globalDefinitions.smtpServer = server
        case "default_interface":
            noBlock(node)
            guard let w = single(node, "an interface name") else { return }
            if w.text.isEmpty || w.text.utf8.count >= 16 || w.text.contains("/") {
                alert(w.location, "default_interface: invalid interface name '\(w.text)'")
            } else {
                globalDefinitions.defaultInterface = w.text
            }
        case "smtp_connect_timeout":
            if let n = number(node, 1...Int(Int32.max), "smtp_connect_timeout") { globalDefinitions.smtpConnectTimeout = n }
        default:
            unknown(node, in: "global_defs", served: KeepalivedKeywords.globalDefs, unserved: KeepalivedKeywords.unservedGlobalDefs)
        }
    }

    /// Decimal seconds in keepalived's range for GARP/NA intervals (1 µs ... 4294.967295 s),
    /// as microseconds. keepalived refuses 0 and keeps its default, which is 0: Fulcrum
    /// does the same with a warning rather than failing the whole configuration.
    private mutating func garpInterval(_ node: KeepalivedNode) -> Int64? {
        noBlock(node)
        guard let word = single(node, "an interval in seconds") else { return nil }
        guard let us = KeepalivedValues.microseconds(word.text), us <= 4_294_967_295 else {
            alert(word.location, "\(node.keyword.text) '\(word.text)' is invalid - must be between 0.000001 & 4294.967295 seconds")
            return nil
        }
        if us == 0 {
            warning(word.location, "\(node.keyword.text) '\(word.text)' is invalid (keepalived: outside range [0.000001, 4294.967295]); the default, no pause, applies")
            return 0
        }
        return Int64(us)
    }
}
