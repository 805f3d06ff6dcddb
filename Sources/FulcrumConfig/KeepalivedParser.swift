/// An instance as read, before keepalived's end-of-configuration rules
/// (defaults from the state, global_defs fallbacks, clearing) are applied.
struct VRRPInstanceDraft {
    var instance: VRRPInstanceConfig
    var state: VRRPConfiguredState?
    var priority: Int?
    var advertMicroseconds: Int?
    var advertLocation: SourceLocation?
    var version: Int?
    var authType: KeepalivedToken?
    var authPass: String?
    var authLocation: SourceLocation?
    var garpMasterDelay: Int?
    var garpMasterRepeat: Int?
    var garpMasterRefresh: Int?
    var garpMasterRefreshRepeat: Int?
    var garpLowerPriorityRepeat: Int?
    var garpLowerPriorityRepeatLocation: SourceLocation?
    var garpLowerPriorityDelay: Int?
    var garpLowerPriorityDelayLocation: SourceLocation?
    var stateLocation: SourceLocation?
    var strict: Bool?
    var skipCheckAdvertAddresses: Bool?
    var checkUnicastSourceLocation: SourceLocation?
    var nopreemptLocation: SourceLocation?
    var preemptDelayLocation: SourceLocation?
    var smtpAlert: Bool?
}

/// Reads keepalived.conf syntax into drafts. One parser lives for a whole
/// `ConfigParser.parse` call so blocks from several sources (whole keepalived
/// files or blocks inside Fulcrum files) merge into one configuration;
/// `resolve` (VRRPValidation.swift) then applies keepalived's rules.
///
/// `include` is refused: the daemon hands every file to the parser itself,
/// so list each file with its own `-f` instead.
struct KeepalivedParser {
    var globalDefinitions = VRRPGlobalDefinitions()
    var scripts: [VRRPScript] = []
    var instances: [VRRPInstanceDraft] = []
    var syncGroups: [VRRPSyncGroup] = []
    var diagnostics: [Diagnostic] = []

    mutating func alert(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.alert, at, message)) }
    mutating func warning(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.warning, at, message)) }
    mutating func notice(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.notice, at, message)) }

    /// True when the first keyword of the text (comments and blank lines
    /// skipped) opens a keepalived top-level block: the whole source is then
    /// read as keepalived.conf.
    static func isKeepalivedSource(_ text: String) -> Bool {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let (words, _) = KeepalivedTokenizer.split(line, file: "", line: 0)
            guard let first = words.first else { continue }
            return KeepalivedKeywords.topLevelBlocks.contains(first.text)
        }
        return false
    }

    /// Reads keepalived text; `firstLine` is the line number of its first line
    /// in `file` (blocks inside a Fulcrum file keep their own line numbers).
    mutating func read(_ text: String, file: String, firstLine: Int = 1) {
        let (tokens, tokenDiagnostics) = KeepalivedTokenizer.tokenize(text, file: file, firstLine: firstLine)
        diagnostics += tokenDiagnostics
        let (nodes, treeDiagnostics) = KeepalivedTreeBuilder.build(tokens)
        diagnostics += treeDiagnostics
        for node in nodes { topLevel(node) }
    }

    // MARK: Helpers

    private mutating func unknown(_ node: KeepalivedNode, in context: String, served: [String], unserved: Set<String>) {
        let word = node.keyword.text
        if unserved.contains(word) {
            alert(node.keyword.location, "keepalived keyword '\(word)' is not supported (in \(context))")
            return
        }
        let hint = Suggestion.closest(to: word, among: served).map { "; did you mean '\($0)'?" } ?? ""
        alert(node.keyword.location, "unknown keyword '\(word)' in \(context)\(hint)")
    }

    /// The single argument of `node`, or an alert.
    private mutating func single(_ node: KeepalivedNode, _ what: String = "an argument") -> KeepalivedToken? {
        guard let first = node.arguments.first else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects \(what)")
            return nil
        }
        for extra in node.arguments.dropFirst() {
            alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text) \(first.text)'")
        }
        return first
    }

    private mutating func noBlock(_ node: KeepalivedNode) {
        if let block = node.block, let first = block.first {
            alert(first.keyword.location, "'\(node.keyword.text)' takes no block")
        }
    }

    private mutating func needsBlock(_ node: KeepalivedNode) -> [KeepalivedNode]? {
        guard let block = node.block else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects a block: '\(node.keyword.text) { ... }'")
            return nil
        }
        for extra in node.arguments {
            alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text)'")
        }
        return block
    }

    private mutating func number(_ node: KeepalivedNode, _ range: ClosedRange<Int>, _ what: String) -> Int? {
        noBlock(node)
        guard let word = single(node) else { return nil }
        guard let n = KeepalivedValues.unsigned(word.text, in: range) else {
            alert(word.location, "\(what) '\(word.text)' not valid - must be between \(range.lowerBound) & \(range.upperBound)")
            return nil
        }
        return n
    }

    /// A flag keyword with an optional boolean (`smtp_alert`, `vrrp_min_garp false`).
    private mutating func flag(_ node: KeepalivedNode) -> Bool? {
        noBlock(node)
        guard let word = node.arguments.first else { return true }
        for extra in node.arguments.dropFirst() {
            alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text) \(word.text)'")
        }
        guard let value = KeepalivedValues.boolean(word.text) else {
            alert(word.location, "invalid value '\(word.text)' for '\(node.keyword.text)' (expected true/false, on/off or yes/no)")
            return nil
        }
        return value
    }

    /// A keyword keepalived reads as "on" whatever follows it (`vrrp_strict`,
    /// `dont_track_primary`...): `vrrp_strict no` still enables strict mode there,
    /// so an argument gets a warning saying so.
    private mutating func presenceFlag(_ node: KeepalivedNode) {
        noBlock(node)
        if let word = node.arguments.first {
            warning(word.location, "'\(node.keyword.text)' takes no argument: keepalived ignores '\(word.text)' and turns it on")
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

    private mutating func command(_ node: KeepalivedNode) -> VRRPCommand? {
        noBlock(node)
        guard !node.arguments.isEmpty else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects a script path and its arguments")
            return nil
        }
        guard let arguments = KeepalivedTokenizer.commandArguments(node.arguments), !arguments.isEmpty else {
            alert(node.arguments[0].location, "unterminated quote in the script of '\(node.keyword.text)'")
            return nil
        }
        return VRRPCommand(location: node.arguments[0].location, arguments: arguments)
    }

    /// Every word of a value block (`group`, `notification_email`), one or several a line.
    private func values(_ block: [KeepalivedNode]) -> [KeepalivedToken] { block.flatMap(\.words) }

    // MARK: Top level

    private mutating func topLevel(_ node: KeepalivedNode) {
        let word = node.keyword.text
        switch word {
        case "global_defs":
            guard let block = needsBlock(node) else { return }
            if globalDefinitions.location == nil { globalDefinitions.location = node.keyword.location }
            for item in block { globalKeyword(item) }
        case "vrrp_script":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = scripts.first(where: { $0.name == name.text }) {
                alert(name.location, "vrrp_script \(name.text) already defined at \(first.location)")
                return
            }
            var script = VRRPScript(name: name.text, location: node.keyword.location)
            for item in block { scriptKeyword(item, &script) }
            if script.command == nil {
                alert(node.keyword.location, "No script set for vrrp_script \(name.text)")
            }
            scripts.append(script)
        case "vrrp_instance":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = instances.first(where: { $0.instance.name == name.text }) {
                alert(name.location, "vrrp instance \(name.text) already defined at \(first.instance.location)")
                return
            }
            var draft = VRRPInstanceDraft(instance: VRRPInstanceConfig(name: name.text, location: node.keyword.location))
            for item in block { instanceKeyword(item, &draft) }
            instances.append(draft)
        case "vrrp_sync_group":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = syncGroups.first(where: { $0.name == name.text }) {
                alert(name.location, "vrrp sync group \(name.text) already defined at \(first.location)")
                return
            }
            var group = VRRPSyncGroup(name: name.text, location: node.keyword.location)
            for item in block { syncGroupKeyword(item, &group) }
            syncGroups.append(group)
        case "include":
            alert(node.keyword.location, "keepalived keyword 'include' is not supported: give each file to Fulcrum with its own -f")
        default:
            if KeepalivedKeywords.unservedTopLevel.contains(word) {
                alert(node.keyword.location, "keepalived keyword '\(word)' is not supported")
            } else {
                let all = KeepalivedKeywords.servedBlocks
                let hint = Suggestion.closest(to: word, among: all).map { "; did you mean '\($0)'?" } ?? ""
                alert(node.keyword.location, "unknown keyword '\(word)' at the top level of a keepalived configuration\(hint)")
            }
        }
    }

    private mutating func blockName(_ node: KeepalivedNode) -> KeepalivedToken? {
        guard let name = node.arguments.first else {
            alert(node.keyword.location, "\(node.keyword.text) must have a name")
            return nil
        }
        return name
    }

    private func nodeWithoutName(_ node: KeepalivedNode) -> KeepalivedNode {
        var n = node
        n.arguments = Array(node.arguments.dropFirst())
        return n
    }

    // MARK: global_defs

    private mutating func globalKeyword(_ node: KeepalivedNode) {
        let word = node.keyword.text
        switch word {
        case "router_id":
            noBlock(node)
            if let id = single(node, "a router id") { globalDefinitions.routerID = id.text }
        case "vrrp_mcast_group4":
            noBlock(node)
            guard let w = single(node, "an IPv4 multicast address") else { return }
            if let a = IPLiteral.ipv4(w.text), a >> 28 == 0xE {
                globalDefinitions.multicastGroup4 = .v4(a)
            } else {
                alert(w.location, "vrrp_mcast_group4 '\(w.text)' is not an IPv4 multicast address")
            }
        case "vrrp_mcast_group6":
            noBlock(node)
            guard let w = single(node, "an IPv6 multicast address") else { return }
            if let a = IPLiteral.ipv6(w.text), a[0] == 0xff {
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
        case "smtp_connect_timeout":
            if let n = number(node, 1...Int(Int32.max), "smtp_connect_timeout") { globalDefinitions.smtpConnectTimeout = n }
        default:
            unknown(node, in: "global_defs", served: KeepalivedKeywords.globalDefs, unserved: KeepalivedKeywords.unservedGlobalDefs)
        }
    }

    // MARK: vrrp_script

    private mutating func scriptKeyword(_ node: KeepalivedNode, _ script: inout VRRPScript) {
        let context = "vrrp_script '\(script.name)'"
        switch node.keyword.text {
        case "script":
            if let c = command(node) { script.command = c }
        case "interval":
            if let n = number(node, 0...Int(Int32.max), "(\(script.name)) vrrp script interval") {
                if n == 0 { warning(node.keyword.location, "(\(script.name)) vrrp script interval must be greater than 0, setting to 1") }
                script.interval = max(n, 1)
            }
        case "timeout":
            if let n = number(node, 0...Int(Int32.max), "(\(script.name)) vrrp script timeout") {
                if n == 0 { warning(node.keyword.location, "(\(script.name)) vrrp script timeout must be greater than 0, setting to 1") }
                script.timeout = max(n, 1)
            }
        case "weight":
            noBlock(node)
            guard let w = node.arguments.first else { alert(node.keyword.location, "'weight' expects a number"); return }
            guard let n = KeepalivedValues.signed(w.text, in: -253...253) else {
                alert(w.location, "vrrp_script \(script.name) weight \(w.text) must be in [-253, 253]")
                return
            }
            script.weight = n
            if node.arguments.count > 1 {
                let option = node.arguments[1]
                if option.text == "reverse" { script.weightReverse = true } else {
                    alert(option.location, "vrrp_script \(script.name) unknown weight option \(option.text)")
                }
            }
            for extra in node.arguments.dropFirst(2) { alert(extra.location, "unexpected argument '\(extra.text)' after 'weight'") }
        case "rise":
            if let n = number(node, 1...Int(Int32.max), "(\(script.name)) vrrp script rise value") { script.rise = n }
        case "fall":
            if let n = number(node, 1...Int(Int32.max), "(\(script.name)) vrrp script fall value") { script.fall = n }
        case "user":
            noBlock(node)
            guard let user = node.arguments.first else { alert(node.keyword.location, "'user' expects a user name and optionally a group"); return }
            script.user = user.text
            script.group = node.arguments.count > 1 ? node.arguments[1].text : nil
            for extra in node.arguments.dropFirst(2) { alert(extra.location, "unexpected argument '\(extra.text)' after 'user'") }
        case "init_fail":
            noBlock(node)
            for extra in node.arguments { alert(extra.location, "unexpected argument '\(extra.text)' after 'init_fail'") }
            script.initFail = true
        default:
            unknown(node, in: context, served: KeepalivedKeywords.script, unserved: KeepalivedKeywords.unservedScript)
        }
    }

    // MARK: vrrp_instance

    private mutating func instanceKeyword(_ node: KeepalivedNode, _ d: inout VRRPInstanceDraft) {
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
                let hint = Suggestion.closest(to: w.text, among: ["MASTER", "BACKUP"]).map { "; did you mean '\($0)'?" } ?? ""
                alert(w.location, "(\(name)) unknown state '\(w.text)': expected MASTER or BACKUP\(hint)")
            }
        case "interface":
            noBlock(node)
            if let w = single(node, "an interface name") {
                if w.text.isEmpty || w.text.utf8.count >= 16 || w.text.contains("/") {
                    alert(w.location, "(\(name)) invalid interface name '\(w.text)'")
                } else {
                    d.instance.interface = w.text
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
        case "track_script":
            guard let block = needsBlock(node) else { return }
            for line in block { if let t = track(line, range: -253...253, reverse: true) { d.instance.trackScripts.append(t) } }
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
        case "smtp_alert":
            if let v = flag(node) { d.smtpAlert = v }
        default:
            unknown(node, in: "vrrp_instance '\(name)'", served: KeepalivedKeywords.instance, unserved: KeepalivedKeywords.unservedInstance)
        }
    }

    /// keepalived keeps the first notify script of a kind and ignores the others.
    private mutating func setNotify(_ node: KeepalivedNode, _ kind: WritableKeyPath<VRRPNotifyScripts, VRRPCommand?>,
                                    _ notify: inout VRRPNotifyScripts, owner: String) {
        if notify[keyPath: kind] != nil {
            warning(node.keyword.location, "\(owner) \(node.keyword.text) script already specified - ignoring this one")
            return
        }
        if let c = command(node) { notify[keyPath: kind] = c }
    }

    private mutating func authenticationKeyword(_ node: KeepalivedNode, _ d: inout VRRPInstanceDraft) {
        let name = d.instance.name
        switch node.keyword.text {
        case "auth_type":
            noBlock(node)
            guard let w = single(node, "PASS") else { return }
            switch w.text {
            case "PASS": d.authType = w
            case "AH": alert(w.location, "(\(name)) auth_type AH is not supported (IPsec AH authentication); use PASS or no authentication")
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
    private mutating func virtualAddress(_ line: KeepalivedNode, instance name: String) -> VRRPVirtualAddress? {
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
                let hint = Suggestion.closest(to: option.text, among: options).map { "; did you mean '\($0)'?" } ?? ""
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

    // MARK: vrrp_sync_group

    private mutating func syncGroupKeyword(_ node: KeepalivedNode, _ group: inout VRRPSyncGroup) {
        let owner = "vrrp group \(group.name):"
        switch node.keyword.text {
        case "group":
            guard let block = needsBlock(node) else { return }
            for member in values(block) {
                if group.instances.contains(member.text) {
                    warning(member.location, "\(owner) instance \(member.text) listed twice - ignoring")
                } else {
                    group.instances.append(member.text)
                }
            }
        case "notify_master": setNotify(node, \.master, &group.notify, owner: owner)
        case "notify_backup": setNotify(node, \.backup, &group.notify, owner: owner)
        case "notify_fault": setNotify(node, \.fault, &group.notify, owner: owner)
        case "notify_stop": setNotify(node, \.stop, &group.notify, owner: owner)
        case "notify": setNotify(node, \.any, &group.notify, owner: owner)
        case "smtp_alert":
            if let v = flag(node) { group.smtpAlert = v }
        default:
            unknown(node, in: "vrrp_sync_group '\(group.name)'", served: KeepalivedKeywords.syncGroup, unserved: KeepalivedKeywords.unservedSyncGroup)
        }
    }
}
