/// `vrrp_instance NAME { ... }` into a draft: the election's settings,
/// authentication, virtual addresses, what it tracks, GARP timings and notify
/// scripts. keepalived's end-of-configuration rules come later (`resolve`).
extension KeepalivedParser {
    mutating func instanceKeyword(_ written: KeepalivedNode, _ d: inout VRRPInstanceDraft) {
        let node = canonical(written)
        let name = d.instance.name
        let at = node.keyword.location
        switch node.keyword.text {
        case "state":
            noBlock(node)
            guard let w = single(node, "MASTER or BACKUP") else { return }
            d.stateLocation = w.location
            switch w.text {
            case "MASTER": d.state = .master
            case "BACKUP": d.state = .backup
            default:
                let hint = Suggestion.didYouMean(w.text, among: ["MASTER", "BACKUP"])
                alert(w.location, "(\(name)) unknown state '\(w.text)': expected MASTER or BACKUP\(hint)")
            }
        case "interface":
            noBlock(node)
            if let w = single(node, "an interface name") {
                if w.text.isEmpty || w.text.utf8.count >= 16 || w.text.contains("/") {
                    alert(w.location, "(\(name)) invalid interface name '\(w.text)'")
                } else {
                    d.instance.interface = w.text
                    d.instance.interfaceLocation = w.location
                }
            }
        case "virtual_router_id":
            noBlock(node)
            guard let w = single(node, "a number between 1 & 255") else { return }
            if let n = KeepalivedValues.unsigned(w.text, in: 1...255) { d.instance.virtualRouterID = n } else {
                alert(w.location, "(\(name)): VRID '\(w.text)' not valid - must be between 1 & 255")
            }
        case "priority":
            noBlock(node)
            guard let w = single(node, "a number between 1 & 255") else { return }
            if let n = KeepalivedValues.unsigned(w.text, in: 1...255) { d.priority = n } else {
                alert(w.location, "(\(name)) Priority '\(w.text)' not valid! must be between 1 & 255")
            }
        case "advert_int":
            noBlock(node)
            guard let w = single(node, "an interval in seconds") else { return }
            if let us = KeepalivedValues.microseconds(w.text), us >= 10_000, us <= 255_000_000 {
                d.advertMicroseconds = us
                d.advertLocation = w.location
            } else {
                alert(w.location, "(\(name)) Advert interval (\(w.text)) not valid! Must be between 0.01 and 255 seconds")
            }
        case "version":
            noBlock(node)
            guard let w = single(node, "2 or 3") else { return }
            if let n = KeepalivedValues.unsigned(w.text, in: 2...3) { d.version = n } else {
                alert(w.location, "(\(name)): Version must be either 2 or 3")
            }
        case "authentication":
            guard let block = needsBlock(node) else { return }
            d.authLocation = at
            for item in block { authenticationKeyword(item, &d) }
        case "virtual_ipaddress":
            guard let block = needsBlock(node) else { return }
            for line in block {
                if let a = virtualAddress(line, instance: name) {
                    if a.address.isIPv4 {
                        d.instance.virtualAddresses.append(a)
                    } else {
                        alert(a.location, "(\(name)) IPv6 virtual address '\(line.keyword.text)' is not supported: Fulcrum's VRRP instances are IPv4")
                    }
                }
            }
        case "virtual_ipaddress_excluded":
            guard let block = needsBlock(node) else { return }
            for line in block {
                guard let a = virtualAddress(line, instance: name) else { continue }
                if a.address.isIPv4 {
                    d.instance.excludedAddresses.append(a)
                } else {
                    alert(a.location, "(\(name)) IPv6 virtual address '\(line.keyword.text)' is not supported: Fulcrum adds IPv4 addresses only")
                }
            }
        case "use_vmac":
            noBlock(node)
            d.useVMAC = true
            if let w = node.arguments.first {
                if w.text.isEmpty || w.text.utf8.count >= 16 || w.text.contains("/") {
                    alert(w.location, "(\(name)) invalid vmac interface name '\(w.text)'")
                } else {
                    d.instance.virtualMACInterface = w.text
                }
            }
            for extra in node.arguments.dropFirst() { alert(extra.location, "unexpected argument '\(extra.text)' after 'use_vmac'") }
        case "vmac_xmit_base":
            presenceFlag(node)
            d.instance.virtualMACTransmitBase = true
        case "virtual_routes":
            guard let block = needsBlock(node) else { return }
            for line in block { if let r = route(line) { d.instance.virtualRoutes.append(r) } }
        case "virtual_rules":
            guard let block = needsBlock(node) else { return }
            for line in block { if let r = rule(line) { d.instance.virtualRules.append(r) } }
        case "track_script":
            guard let block = needsBlock(node) else { return }
            for line in block { if let t = track(line, range: -253...253, reverse: true) { d.instance.trackScripts.append(t) } }
        case "track_process":
            guard let block = needsBlock(node) else { return }
            for line in block { if let t = track(line, range: -254...254, reverse: true) { d.instance.trackProcesses.append(t) } }
        case "track_interface":
            guard let block = needsBlock(node) else { return }
            for line in block { if let t = track(line, range: -254...254, reverse: true) { d.instance.trackInterfaces.append(t) } }
        case "track_backend":
            // Fulcrum's own: one backend per line, as a keyword line or a block.
            if let block = node.block {
                for extra in node.arguments { alert(extra.location, "unexpected argument '\(extra.text)' after 'track_backend'") }
                for line in block { if let t = track(line, range: -253...253, reverse: false) { d.instance.trackBackends.append(t) } }
            } else if let first = node.arguments.first {
                let line = KeepalivedNode(keyword: first, arguments: Array(node.arguments.dropFirst()), block: nil)
                if let t = track(line, range: -253...253, reverse: false) { d.instance.trackBackends.append(t) }
            } else {
                alert(at, "'track_backend' expects a backend name: 'track_backend NAME [weight W]'")
            }
        case "nopreempt":
            noBlock(node)
            for extra in node.arguments { alert(extra.location, "unexpected argument '\(extra.text)' after 'nopreempt'") }
            d.instance.nopreempt = true
            d.nopreemptLocation = at
        case "preempt_delay":
            if let n = number(node, 0...1000, "(\(name)) preempt_delay") {
                d.instance.preemptDelay = n
                d.preemptDelayLocation = at
            }
        case "unicast_src_ip", "mcast_src_ip":
            noBlock(node)
            guard let w = single(node, "an IP address") else { return }
            guard let a = KeepalivedValues.address(w.text) else {
                alert(w.location, "(\(name)) malformed source address '\(w.text)'")
                return
            }
            d.instance.sourceAddress = a
        case "unicast_peer":
            guard let block = needsBlock(node) else { return }
            for line in block {
                for extra in line.arguments {
                    let known = ["min_ttl", "max_ttl"].contains(extra.text)
                    alert(extra.location, known ? "keepalived keyword '\(extra.text)' is not supported (in unicast_peer)"
                                                : "unexpected argument '\(extra.text)' after unicast peer '\(line.keyword.text)'")
                    break
                }
                guard let a = KeepalivedValues.address(line.keyword.text) else {
                    alert(line.keyword.location, "(\(name)) malformed unicast peer address '\(line.keyword.text)'")
                    continue
                }
                d.instance.unicastPeers.append(VRRPUnicastPeer(location: line.keyword.location, address: a))
            }
        case "garp_master_delay":
            if let n = number(node, 0...Int(Int32.max), "(\(name)): garp_master_delay") { d.garpMasterDelay = n }
        case "garp_master_repeat":
            if let n = number(node, 0...Int(Int32.max), "(\(name)): garp_master_repeat") {
                if n == 0 { warning(at, "(\(name)): garp_master_repeat must be greater than 0, setting to 1") }
                d.garpMasterRepeat = max(n, 1)
            }
        case "garp_master_refresh":
            if let n = number(node, 0...Int(Int32.max), "(\(name)): garp_master_refresh") { d.garpMasterRefresh = n }
        case "garp_master_refresh_repeat":
            if let n = number(node, 0...Int(UInt32.max), "(\(name)): garp_master_refresh_repeat") {
                if n == 0 { warning(at, "(\(name)): garp_master_refresh_repeat must be greater than 0, setting to 1") }
                d.garpMasterRefreshRepeat = max(n, 1)
            }
        case "garp_lower_prio_repeat":
            if let n = number(node, 0...Int(Int32.max), "(\(name)): garp_lower_prio_repeat") {
                d.garpLowerPriorityRepeat = n
                d.garpLowerPriorityRepeatLocation = at
            }
        case "garp_lower_prio_delay":
            if let n = number(node, 0...Int(Int32.max), "(\(name)): garp_lower_prio_delay") {
                d.garpLowerPriorityDelay = n
                d.garpLowerPriorityDelayLocation = at
            }
        case "strict_mode":
            guard let v = flag(node) else { return }
            d.strict = v
            if v { warning(at, "(\(name)) strict_mode: Fulcrum does not install firewall rules for VIPs (keepalived's strict mode drops traffic to them with iptables/nftables)") }
        case "skip_check_adv_addr":
            if let v = flag(node) { d.skipCheckAdvertAddresses = v }
        case "check_unicast_src":
            presenceFlag(node)
            d.instance.checkUnicastSource = true
            d.checkUnicastSourceLocation = at
        case "dont_track_primary":
            presenceFlag(node)
            d.instance.dontTrackPrimary = true
        case "debug":
            // keepalived stores the level and only prints it in its configuration
            // dump: no run-time effect, so Fulcrum checks the value and ignores it.
            _ = number(node, 0...4, "(\(name)) Debug value")
        case "notify_master": setNotify(node, \.master, &d.instance.notify, owner: "(\(name))")
        case "notify_backup": setNotify(node, \.backup, &d.instance.notify, owner: "(\(name))")
        case "notify_fault": setNotify(node, \.fault, &d.instance.notify, owner: "(\(name))")
        case "notify_stop": setNotify(node, \.stop, &d.instance.notify, owner: "(\(name))")
        case "notify": setNotify(node, \.any, &d.instance.notify, owner: "(\(name))")
        case "notify_master_rx_lower_pri":
            setNotify(node, \.masterReceivedLowerPriority, &d.instance.notify, owner: "(\(name))")
        case "smtp_alert":
            if let v = flag(node) { d.smtpAlert = v }
        default:
            unknown(node, in: "vrrp_instance '\(name)'", served: KeepalivedKeywords.instance, unserved: KeepalivedKeywords.unservedInstance)
        }
    }

    private mutating func authenticationKeyword(_ node: KeepalivedNode, _ d: inout VRRPInstanceDraft) {
        let name = d.instance.name
        switch node.keyword.text {
        case "auth_type":
            noBlock(node)
            guard let w = single(node, "PASS") else { return }
            switch w.text {
            case "PASS", "AH": d.authType = w
            default: alert(w.location, "(\(name)) unknown authentication type '\(w.text)'")
            }
        case "auth_pass":
            noBlock(node)
            guard let w = single(node, "a password") else { return }
            var pass = w.text
            if pass.utf8.count > 8 {
                warning(w.location, "(\(name)) Truncating auth_pass to 8 characters")
                pass = String(decoding: pass.utf8.prefix(8), as: UTF8.self)
            }
            d.authPass = pass
        default:
            unknown(node, in: "authentication of vrrp_instance '\(name)'", served: KeepalivedKeywords.authentication, unserved: [])
        }
    }

    /// `IP[/PREFIX] [brd IP] [dev IF] [scope S] [label L]`.
    mutating func virtualAddress(_ line: KeepalivedNode, instance name: String) -> VRRPVirtualAddress? {
        noBlock(line)
        guard let (address, prefix) = KeepalivedValues.addressWithPrefix(line.keyword.text) else {
            alert(line.keyword.location, "(\(name)) invalid virtual address '\(line.keyword.text)'")
            return nil
        }
        var vip = VRRPVirtualAddress(location: line.keyword.location, address: address,
                                     prefixLength: prefix ?? (address.isIPv4 ? 32 : 128))
        var i = 0
        let args = line.arguments
        while i < args.count {
            let option = args[i]
            if KeepalivedKeywords.unservedAddressOptions.contains(option.text) {
                alert(option.location, "keepalived keyword '\(option.text)' is not supported (in virtual address '\(line.keyword.text)')")
                return nil
            }
            let options = ["brd", "broadcast", "dev", "scope", "label"]
            guard options.contains(option.text) else {
                let hint = Suggestion.didYouMean(option.text, among: options)
                alert(option.location, "(\(name)) unknown option '\(option.text)' for virtual address '\(line.keyword.text)'\(hint)")
                return nil
            }
            guard i + 1 < args.count else {
                alert(option.location, "(\(name)) '\(option.text)' expects a value")
                return nil
            }
            let value = args[i + 1]
            switch option.text {
            case "brd", "broadcast":
                guard let b = KeepalivedValues.address(value.text), b.isIPv4 == address.isIPv4 else {
                    alert(value.location, "(\(name)) invalid broadcast address '\(value.text)'")
                    return nil
                }
                vip.broadcast = b
            case "dev":
                vip.device = value.text
            case "scope":
                guard let s = KeepalivedValues.scope(value.text) else {
                    alert(value.location, "(\(name)) invalid scope '\(value.text)' (global, site, link, host, nowhere or 0-255)")
                    return nil
                }
                vip.scope = s
            default:
                vip.label = value.text
            }
            i += 2
        }
        return vip
    }

    /// `NAME [weight W [reverse]]`.
    private mutating func track(_ line: KeepalivedNode, range: ClosedRange<Int>, reverse allowReverse: Bool) -> VRRPTrack? {
        noBlock(line)
        var t = VRRPTrack(name: line.keyword.text, location: line.keyword.location)
        let args = line.arguments
        guard !args.isEmpty else { return t }
        guard args[0].text == "weight" else {
            alert(args[0].location, "unexpected argument '\(args[0].text)' after '\(t.name)' (expected 'weight W')")
            return nil
        }
        guard args.count >= 2, let w = KeepalivedValues.signed(args[1].text, in: range) else {
            alert(args[0].location, "weight for '\(t.name)' must be a number in [\(range.lowerBound), \(range.upperBound)]")
            return nil
        }
        t.weight = w
        if args.count >= 3 {
            if allowReverse, args[2].text == "reverse" { t.reverse = true } else {
                alert(args[2].location, "unexpected argument '\(args[2].text)' after 'weight \(w)'")
                return nil
            }
        }
        for extra in args.dropFirst(3) { alert(extra.location, "unexpected argument '\(extra.text)'") }
        return t
    }
}
