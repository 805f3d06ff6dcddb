/// keepalived's end-of-configuration rules (vrrp_complete_instance and the
/// sync-group checks), applied once every source is read. Severity: what
/// keepalived refuses (the instance would not run: no virtual_router_id, no
/// interface nor source address, no VIP in version 3, unknown references) is
/// an alert; what keepalived adjusts and logs (nopreempt with MASTER, interval
/// rounding, authentication ignored) is a warning, and the model holds the
/// adjusted value.
///
/// Strict mode (`vrrp_strict`, or `strict_mode` in an instance) adds
/// keepalived 2.2.7's rules: at least one VIP (alert, the instance would not
/// run); `state` must agree with being the address owner (priority 255), else
/// the state follows the priority; authentication is cleared; preempt_delay is
/// cleared; garp_lower_prio_repeat / garp_lower_prio_delay are forced to 0
/// (0 by default too); unicast peers get a warning, because keepalived refuses
/// them only on an interface that can multicast, which the configuration alone
/// cannot tell. Each adjustment is a warning with keepalived's words (its
/// `-t` exits non-zero on them; at run time it logs them and goes on). There
/// is no VIP-count rule in 2.2.7 beyond the 255-address packet limit.
extension KeepalivedParser {
    /// `backends`: the names of the proxy configuration's backends;
    /// `hasProxies`: whether the configuration has HAProxy sections at all
    /// (a VRRP-only node cannot check a `track_backend` name).
    mutating func resolve(backends: Set<String>, hasProxies: Bool) -> VRRPConfiguration {
        var config = VRRPConfiguration()
        config.globalDefinitions = globalDefinitions
        config.scripts = scripts
        config.trackedProcesses = trackedProcesses
        config.syncGroups = syncGroups
        config.statics = statics
        for k in config.statics.addresses.indices where config.statics.addresses[k].device == nil {
            // keepalived puts such an address on its default interface.
            if let d = globalDefinitions.defaultInterface {
                config.statics.addresses[k].device = d
            } else {
                alert(config.statics.addresses[k].location, "static_ipaddress \(config.statics.addresses[k].address) needs 'dev IF' (or a global_defs default_interface)")
            }
        }
        let scriptNames = Set(scripts.map(\.name))
        var seenRouters: [String: VRRPInstanceConfig] = [:]
        for draft in instances {
            guard let instance = resolved(draft, scripts: scriptNames, backends: backends, hasProxies: hasProxies) else { continue }
            if instance.virtualRouterID != 0 {
                let key = "\(instance.interface ?? instance.sourceAddress?.description ?? "")#\(instance.virtualRouterID)"
                if let other = seenRouters[key] {
                    alert(instance.location, "(\(instance.name)) virtual_router_id \(instance.virtualRouterID) is already used on \(instance.interface.map { "interface \($0)" } ?? "this address") by instance \(other.name) (\(other.location))")
                } else {
                    seenRouters[key] = instance
                }
            }
            config.instances.append(instance)
        }
        resolveSyncGroups(&config)
        return config
    }

    private mutating func resolved(_ d: VRRPInstanceDraft, scripts: Set<String>, backends: Set<String>,
                                   hasProxies: Bool) -> VRRPInstanceConfig? {
        var v = d.instance
        let name = v.name
        let g = globalDefinitions
        v.version = d.version ?? g.vrrpVersion
        v.strict = d.strict ?? g.strict
        v.skipCheckAdvertAddresses = d.skipCheckAdvertAddresses ?? g.skipCheckAdvertAddresses
        v.checkUnicastSource = v.checkUnicastSource || g.checkUnicastSource
        if v.virtualRouterID == 0 {
            alert(v.location, "(\(name)) virtual_router_id is required (1-255)")
        }
        if v.interface == nil { v.interface = g.defaultInterface }
        if d.useVMAC, v.virtualMACInterface == nil, v.virtualRouterID != 0 {
            v.virtualMACInterface = "vrrp.\(v.virtualRouterID)"
        }
        if !d.useVMAC && v.virtualMACTransmitBase {
            warning(v.location, "(\(name)) vmac_xmit_base has no effect without use_vmac")
            v.virtualMACTransmitBase = false
        }
        if v.interface == nil && (v.sourceAddress == nil || v.unicastPeers.isEmpty) {
            alert(v.location, "(\(name)) 'interface' is required (it may be left out only for a unicast instance with unicast_src_ip and unicast_peer)")
        }
        if let source = v.sourceAddress, !source.isIPv4 {
            alert(v.location, "(\(name)) unicast_src_ip \(source) is IPv6: Fulcrum's VRRP instances are IPv4")
        }
        for peer in v.unicastPeers where !peer.address.isIPv4 {
            alert(peer.location, "(\(name)) unicast peer \(peer.address) is IPv6: Fulcrum's VRRP instances are IPv4")
        }
        if v.virtualAddresses.isEmpty {
            if v.version == 3 || v.strict {
                alert(v.location, "(\(name)) No VIP specified; at least one is required")
            } else {
                warning(v.location, "(\(name)) No VIP specified; at least one is sensible")
            }
        }
        if v.virtualAddresses.count > 255 {
            warning(v.virtualAddresses[255].location, "(\(name)) Number of VIPs (\(v.virtualAddresses.count)) exceeds maximum/space available in packet (max 255 addresses) - excess moved to eVIPs")
            v.excludedAddresses = Array(v.virtualAddresses[255...]) + v.excludedAddresses
            v.virtualAddresses = Array(v.virtualAddresses[..<255])
        }

        // Priority from the state, state from the priority (keepalived).
        v.priority = d.priority ?? (d.state == .master ? 255 : 100)
        v.state = d.state ?? (v.priority == 255 ? .master : .backup)
        if v.strict, d.state != nil, (v.state == .master) != (v.priority == 255) {
            warning(d.stateLocation, "(\(name)) State MASTER must match being address owner")
            v.state = v.priority == 255 ? .master : .backup
        }

        // Authentication.
        if let type = d.authType {
            if v.strict {
                warning(type.location, "(\(name)) Strict mode does not support authentication. Ignoring.")
            } else if v.version == 3 {
                warning(type.location, "(\(name)) VRRP version 3 does not support authentication. Ignoring.")
            } else if let pass = d.authPass, !pass.isEmpty {
                v.authentication = type.text == "AH" ? .ah(pass) : .pass(pass)
            } else {
                warning(type.location, "(\(name)) Authentication specified but no password given. Ignoring")
            }
        } else if d.authPass != nil, let at = d.authLocation {
            warning(at, "(\(name)) auth_pass without 'auth_type PASS': no authentication")
        }

        // Preemption.
        if v.nopreempt, v.priority == 255 {
            warning(d.nopreemptLocation, "(\(name)) nopreempt is incompatible with priority 255 - resetting nopreempt")
            v.nopreempt = false
        }
        if v.state == .master {
            if v.nopreempt {
                warning(d.nopreemptLocation, "(\(name)) Warning - nopreempt will not work with initial state MASTER - clearing")
                v.nopreempt = false
            }
            if v.preemptDelay > 0 {
                warning(d.preemptDelayLocation, "(\(name)) Warning - preempt delay will not work with initial state MASTER - clearing")
                v.preemptDelay = 0
            }
        }
        if v.preemptDelay > 0, v.strict {
            warning(d.preemptDelayLocation, "(\(name)) preempt_delay is incompatible with strict mode - resetting")
            v.preemptDelay = 0
        }
        if v.preemptDelay > 0, v.nopreempt {
            warning(d.preemptDelayLocation, "(\(name)) preempt_delay is incompatible with nopreempt mode - resetting")
            v.preemptDelay = 0
        }

        // Advertisement interval, in centiseconds.
        let us = d.advertMicroseconds ?? 1_000_000
        if v.version == 2 {
            if us >= 256_000_000 {
                warning(d.advertLocation, "(\(name)) VRRPv2 advertisement interval is out of range. Must be less than 256s. Setting to 255s")
                v.advertInterval = 25_500
            } else if us % 1_000_000 != 0 {
                var rounded = (us + 500_000) / 1_000_000
                if rounded == 0 { rounded = 1 }
                warning(d.advertLocation, "(\(name)) VRRPv2 advertisement interval \(Self.seconds(us))s must be an integer. rounding to \(rounded)s")
                v.advertInterval = rounded * 100
            } else {
                v.advertInterval = us / 10_000
            }
        } else {
            if us >= 40_960_000 {
                warning(d.advertLocation, "(\(name)) VRRPv3 advertisement interval \(Self.seconds(us))s is out of range. Must be less than 40.96s. Setting to 40.95s")
                v.advertInterval = 4095
            } else if us % 10_000 != 0 {
                let rounded = max((us + 5_000) / 10_000, 1)
                warning(d.advertLocation, "(\(name)) VRRPv3 advertisement interval \(Self.seconds(us))s must be in units of 10ms - rounding")
                v.advertInterval = rounded
            } else {
                v.advertInterval = us / 10_000
            }
        }

        v.garpMasterDelay = d.garpMasterDelay ?? g.garpMasterDelay
        v.garpMasterRepeat = d.garpMasterRepeat ?? g.garpMasterRepeat
        v.garpMasterRefresh = d.garpMasterRefresh ?? g.garpMasterRefresh
        v.garpMasterRefreshRepeat = d.garpMasterRefreshRepeat ?? g.garpMasterRefreshRepeat
        if let n = d.garpLowerPriorityRepeat {
            if v.strict, n != 0 {
                warning(d.garpLowerPriorityRepeatLocation, "(\(name)) Strict mode requires no repeat garps. resetting")
            }
            v.garpLowerPriorityRepeat = v.strict ? 0 : n
        } else {
            v.garpLowerPriorityRepeat = v.strict ? 0 : g.garpLowerPriorityRepeat ?? g.garpMasterRepeat
        }
        if let n = d.garpLowerPriorityDelay {
            if v.strict, n != 0 {
                warning(d.garpLowerPriorityDelayLocation, "(\(name)) Strict mode requires no repeat garp delay. resetting")
            }
            v.garpLowerPriorityDelay = v.strict ? 0 : n
        } else {
            v.garpLowerPriorityDelay = v.strict ? 0 : g.garpLowerPriorityDelay ?? g.garpMasterDelay
        }
        if v.strict, let peer = v.unicastPeers.first {
            warning(peer.location, "(\(name)) Unicast peers are not supported in strict mode (keepalived refuses this instance when its interface can multicast)")
        }
        if let at = d.checkUnicastSourceLocation, v.unicastPeers.isEmpty {
            warning(at, "(\(name)) A unicast keyword has been specified without any unicast peers. Defaulting to multicast.")
        }
        v.smtpAlert = d.smtpAlert ?? false

        // Tracking references.
        var kept: [VRRPTrack] = []
        for t in v.trackScripts {
            if scripts.contains(t.name) { kept.append(t) } else if removedScripts.contains(t.name) {
                warning(t.location, "(\(name)) track script \(t.name) not found, ignoring...")
            } else {
                let hint = Suggestion.didYouMean(t.name, among: scripts.sorted())
                alert(t.location, "(\(name)) track_script \(t.name) not found (no vrrp_script with that name)\(hint)")
            }
        }
        v.trackScripts = kept
        for t in v.trackProcesses where !trackedProcesses.contains(where: { $0.name == t.name }) {
            let hint = Suggestion.didYouMean(t.name, among: trackedProcesses.map(\.name).sorted())
            alert(t.location, "(\(name)) track_process \(t.name) not found (no vrrp_track_process with that name)\(hint)")
        }
        if let own = v.interface, let i = v.trackInterfaces.firstIndex(where: { $0.name == own }) {
            warning(v.trackInterfaces[i].location, "(\(name)) Ignoring track_interface \(own) since own interface")
            v.trackInterfaces.remove(at: i)
        }
        for t in v.trackBackends where !backends.contains(t.name) {
            if hasProxies {
                let hint = Suggestion.didYouMean(t.name, among: backends.sorted())
                alert(t.location, "(\(name)) track_backend \(t.name): no backend with that name in the proxy configuration\(hint)")
            } else {
                warning(t.location, "(\(name)) track_backend \(t.name): the configuration has no proxy sections, so the backend cannot be checked (the instance stays in FAULT until it exists)")
            }
        }
        return v
    }

    private mutating func resolveSyncGroups(_ config: inout VRRPConfiguration) {
        var owner: [String: String] = [:]
        for index in config.syncGroups.indices {
            let group = config.syncGroups[index]
            var members: [String] = []
            for member in group.instances {
                guard let i = config.instances.firstIndex(where: { $0.name == member }) else {
                    let hint = Suggestion.didYouMean(member, among: config.instances.map(\.name))
                    alert(group.location, "vrrp sync group \(group.name): virtual router \(member) specified but not found\(hint)")
                    continue
                }
                if let other = owner[member] {
                    alert(group.location, "vrrp sync group \(group.name): instance \(member) is already in sync group \(other)")
                    continue
                }
                owner[member] = group.name
                config.instances[i].syncGroup = group.name
                members.append(member)
            }
            if group.instances.isEmpty {
                alert(group.location, "vrrp sync group \(group.name) has no virtual router(s) ('group { ... }' missing or empty)")
            } else if members.count == 1 {
                warning(group.location, "vrrp sync group \(group.name) has only 1 virtual router(s) - this probably isn't what you want")
            }
            config.syncGroups[index].instances = members
        }
    }

    /// Seconds from microseconds, without trailing zeros ("0.125", "2").
    static func seconds(_ us: Int) -> String {
        let whole = us / 1_000_000, fraction = us % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
