// The typed VRRP configuration, read from keepalived.conf syntax (a whole
// keepalived file, or keepalived blocks inside a Fulcrum file). Values are
// resolved as keepalived resolves them: defaults applied, per-instance
// settings falling back to global_defs, incompatible settings cleared (each
// with the warning keepalived gives). Times keep keepalived's units.

import FulcrumBytes

/// One `virtual_ipaddress` / `virtual_ipaddress_excluded` line:
/// `IP[/PREFIX] [brd IP] [dev IF] [scope S] [label L]`.
public struct VRRPVirtualAddress: Equatable, Sendable {
    public var location: SourceLocation
    public var address: IPAddress
    /// 32 (IPv4) or 128 (IPv6) when no /PREFIX is written, as in keepalived.
    public var prefixLength: Int
    public var broadcast: IPAddress?
    /// nil: the instance's interface.
    public var device: String?
    /// rtnetlink scope number (global 0, site 200, link 253, host 254, nowhere 255).
    public var scope: UInt8 = 0
    public var label: String?
    public init(location: SourceLocation, address: IPAddress, prefixLength: Int) {
        self.location = location; self.address = address; self.prefixLength = prefixLength
    }
}

/// A script run with execve (no shell): argv[0] is the program.
public struct VRRPCommand: Equatable, Sendable {
    public var location: SourceLocation
    public var arguments: [String]
    public init(location: SourceLocation, arguments: [String]) { self.location = location; self.arguments = arguments }
}

/// `global_defs`. Times are in seconds.
public struct VRRPGlobalDefinitions: Equatable, Sendable {
    /// Where the first `global_defs` block starts (nil: none was given).
    public var location: SourceLocation?
    /// nil: the host name, as keepalived (the daemon resolves it).
    public var routerID: String?
    public var multicastGroup4: IPAddress = .v4(IPv4Address(224, 0, 0, 18))     // 224.0.0.18
    public var garpMasterDelay = 5
    public var garpMasterRepeat = 5
    /// 0: no periodic gratuitous ARP while MASTER.
    public var garpMasterRefresh = 0
    /// `vrrp_garp_master_refresh_repeat`: gratuitous ARPs sent at each refresh (>= 1).
    public var garpMasterRefreshRepeat = 1
    /// `vrrp_garp_lower_prio_repeat`: gratuitous ARPs a MASTER sends when it hears a
    /// lower-priority advertisement. nil: vrrp_garp_master_repeat (keepalived).
    public var garpLowerPriorityRepeat: Int?
    /// `vrrp_garp_lower_prio_delay`, seconds. nil: vrrp_garp_master_delay (keepalived).
    public var garpLowerPriorityDelay: Int?
    /// `vrrp_garp_interval`: pause between two gratuitous ARPs on an interface, in
    /// microseconds (keepalived's timer unit; written as decimal seconds). 0: none.
    public var garpInterval: Int64 = 0
    /// `vrrp_strict`: the instances' default for strict RFC compliance (see `VRRPInstanceConfig.strict`).
    public var strict = false
    /// `vrrp_skip_check_adv_addr`: the instances' default for `skipCheckAdvertAddresses`.
    public var skipCheckAdvertAddresses = false
    /// `vrrp_check_unicast_src`: every unicast instance checks advertisement sources.
    public var checkUnicastSource = false
    /// Default VRRP version of the instances (2 or 3).
    public var vrrpVersion = 2
    public var enableScriptSecurity = false
    /// Who scripts run as when they name no user (keepalived: keepalived_script, else root).
    public var scriptUser: String?
    public var scriptGroup: String?
    public var notificationEmail: [String] = []
    public var notificationEmailFrom: String?
    public var smtpServer: VRRPSMTPServer?
    public var smtpConnectTimeout = 30
    /// `default_interface`: the interface of an instance that names none.
    public var defaultInterface: String?
    public init() {}
}

public struct VRRPSMTPServer: Equatable, Sendable {
    /// An IP literal or a host name, as written.
    public var host: String
    public var port: Int = 25
    public init(host: String, port: Int = 25) { self.host = host; self.port = port }
}

/// `vrrp_script NAME { ... }`. Times are in seconds.
public struct VRRPScript: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var command: VRRPCommand?
    public var interval = 1
    /// nil: the interval (keepalived's default).
    public var timeout: Int?
    public var effectiveTimeout: Int { timeout ?? interval }
    /// -253...253. 0: a failing script faults the instances tracking it.
    public var weight = 0
    /// `weight W reverse`: the weight applies while the script fails instead.
    public var weightReverse = false
    public var rise = 1
    public var fall = 1
    /// nil: global_defs script_user.
    public var user: String?
    public var group: String?
    /// `init_fail`: the script starts in the failed state.
    public var initFail = false
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// A `track_script` / `track_interface` / `track_backend` entry.
public struct VRRPTrack: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// nil: not given (a script's own weight for track_script, 0 = fault otherwise).
    public var weight: Int?
    public var reverse = false
    public init(name: String, location: SourceLocation, weight: Int? = nil, reverse: Bool = false) {
        self.name = name; self.location = location; self.weight = weight; self.reverse = reverse
    }
}

public enum VRRPConfiguredState: String, Equatable, Sendable {
    case master = "MASTER", backup = "BACKUP"
}

public enum VRRPAuthenticationConfig: Equatable, Sendable {
    /// Simple text password, at most 8 bytes (longer ones are truncated, as keepalived does).
    case pass(String)
    /// `auth_type AH`: keepalived's IPsec Authentication Header, HMAC-MD5-96 keyed with the
    /// same (at most 8-byte) password.
    case ah(String)
}

/// notify_master / notify_backup / notify_fault / notify_stop / notify.
public struct VRRPNotifyScripts: Equatable, Sendable {
    public var master: VRRPCommand?
    public var backup: VRRPCommand?
    public var fault: VRRPCommand?
    public var stop: VRRPCommand?
    /// `notify`: run on every transition with keepalived's four extra arguments
    /// (`INSTANCE|GROUP`, name, state, priority).
    public var any: VRRPCommand?
    /// `notify_master_rx_lower_pri` (instances only): run, as written, each time
    /// a MASTER receives an advert of lower priority.
    public var masterReceivedLowerPriority: VRRPCommand?
    public var isEmpty: Bool {
        master == nil && backup == nil && fault == nil && stop == nil && any == nil && masterReceivedLowerPriority == nil
    }
    public init() {}
}

public struct VRRPUnicastPeer: Equatable, Sendable {
    public var location: SourceLocation
    public var address: IPAddress
    public init(location: SourceLocation, address: IPAddress) { self.location = location; self.address = address }
}

/// `vrrp_instance NAME { ... }`, resolved.
public struct VRRPInstanceConfig: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// The state the instance starts in: as written, else MASTER for priority 255, BACKUP otherwise.
    public var state: VRRPConfiguredState = .backup
    public var interface: String?
    /// Where `interface` names it (nil when it came from default_interface or a VIP's `dev`).
    public var interfaceLocation: SourceLocation?
    /// 1...255 (0 only when the instance was rejected with an alert).
    public var virtualRouterID = 0
    /// 1...255; when not written: 255 for state MASTER, else 100 (keepalived).
    public var priority = 100
    /// Advertisement interval in centiseconds (100 = 1 s). VRRPv2 holds whole seconds.
    public var advertInterval = 100
    /// 2 or 3: the instance's `version`, else global_defs `vrrp_version`.
    public var version = 2
    /// nil: no authentication (always nil for version 3, as keepalived ignores it).
    public var authentication: VRRPAuthenticationConfig?
    /// The addresses advertised (IPv4 only: Fulcrum's VRRP speaks IPv4).
    public var virtualAddresses: [VRRPVirtualAddress] = []
    /// Added and removed with the state but not advertised; IPv6 allowed.
    public var excludedAddresses: [VRRPVirtualAddress] = []
    public var trackScripts: [VRRPTrack] = []
    public var trackInterfaces: [VRRPTrack] = []
    /// Fulcrum extension: `track_backend NAME [weight W]` follows a backend of
    /// the proxy configuration (no usable server = failure).
    public var trackBackends: [VRRPTrack] = []
    /// `track_process`: vrrp_track_process blocks by name.
    public var trackProcesses: [VRRPTrack] = []
    public var nopreempt = false
    /// Seconds (0...1000); 0 when cleared as keepalived clears it.
    public var preemptDelay = 0
    /// `unicast_src_ip` (or `mcast_src_ip`, its keepalived alias).
    public var sourceAddress: IPAddress?
    public var unicastPeers: [VRRPUnicastPeer] = []
    /// Seconds; default global_defs vrrp_garp_master_delay.
    public var garpMasterDelay = 5
    public var garpMasterRepeat = 5
    /// Seconds; 0 = none. Default global_defs vrrp_garp_master_refresh.
    public var garpMasterRefresh = 0
    /// Gratuitous ARPs per refresh (>= 1). Default global_defs vrrp_garp_master_refresh_repeat.
    public var garpMasterRefreshRepeat = 1
    /// Gratuitous ARPs a MASTER sends, after `garpLowerPriorityDelay`, when it receives an
    /// advertisement of lower priority (0: none). Default global_defs
    /// vrrp_garp_lower_prio_repeat, else vrrp_garp_master_repeat; always 0 in strict mode.
    public var garpLowerPriorityRepeat = 5
    /// Seconds. Default global_defs vrrp_garp_lower_prio_delay, else vrrp_garp_master_delay;
    /// always 0 in strict mode.
    public var garpLowerPriorityDelay = 5
    /// `strict_mode`, else global_defs `vrrp_strict`: RFC 3768/5798 strictness. The
    /// configuration rules are already applied here (no authentication, state from the
    /// priority, no preempt_delay, no lower-priority GARPs, at least one VIP); at run time
    /// keepalived also defaults to non-accept mode (its firewall drop rules for the VIPs,
    /// which Fulcrum does not install), does not answer a lower-priority advertisement
    /// with one of its own (lower_prio_no_advert) and refuses unicast peers on an
    /// interface that can multicast.
    public var strict = false
    /// `skip_check_adv_addr`, else global_defs `vrrp_skip_check_adv_addr`: a BACKUP checks
    /// the address list of an advertisement only when it comes from a new MASTER.
    public var skipCheckAdvertAddresses = false
    /// `check_unicast_src` or global_defs `vrrp_check_unicast_src`: a unicast instance
    /// drops advertisements whose source is not one of its unicast peers.
    public var checkUnicastSource = false
    /// `dont_track_primary`: a fault of the instance's own interface does not put it in FAULT.
    public var dontTrackPrimary = false
    public var notify = VRRPNotifyScripts()
    public var smtpAlert = false
    /// `use_vmac [NAME]`: the macvlan interface (private mode, on `interface`)
    /// carrying the virtual MAC 00-00-5E-00-01-{VRID}; VIPs without `dev` go on
    /// it and adverts leave from it. nil: no vmac. Default name "vrrp.VRID".
    public var virtualMACInterface: String?
    /// `vmac_xmit_base`: adverts leave from `interface` (its own MAC) instead.
    public var virtualMACTransmitBase = false
    /// `virtual_routes` / `virtual_rules`: installed on entering MASTER, removed on leaving it.
    public var virtualRoutes: [VRRPRoute] = []
    public var virtualRules: [VRRPRule] = []
    /// The vrrp_sync_group holding this instance, if any.
    public var syncGroup: String?
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }

    public var isUnicast: Bool { !unicastPeers.isEmpty }
}

/// `vrrp_sync_group NAME { group { ... } ... }`.
public struct VRRPSyncGroup: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var instances: [String] = []
    public var notify = VRRPNotifyScripts()
    public var smtpAlert = false
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// Everything the VRRP role runs, merged from every source.
public struct VRRPConfiguration: Equatable, Sendable {
    public var globalDefinitions = VRRPGlobalDefinitions()
    public var scripts: [VRRPScript] = []
    /// `vrrp_track_process` blocks.
    public var trackedProcesses: [VRRPTrackedProcess] = []
    public var instances: [VRRPInstanceConfig] = []
    public var syncGroups: [VRRPSyncGroup] = []
    /// static_ipaddress, static_routes, static_rules.
    public var statics = VRRPStaticSettings()
    public init() {}

    /// No instance: the VRRP role has nothing to do.
    public var isEmpty: Bool { instances.isEmpty }
    public func instance(named name: String) -> VRRPInstanceConfig? { instances.first { $0.name == name } }
    public func script(named name: String) -> VRRPScript? { scripts.first { $0.name == name } }
    public func syncGroup(named name: String) -> VRRPSyncGroup? { syncGroups.first { $0.name == name } }
}
