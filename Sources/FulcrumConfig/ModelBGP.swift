// The typed BGP announcement configuration: which virtual IPs this node may
// announce through BIRD, what decides it, and how to reach BIRD. Written in
// keepalived.conf syntax next to the vrrp_instance blocks (`bgp_defs`,
// `bgp_instance NAME`), with the VRRP instances' tracking vocabulary
// (track_script, track_interface, track_backend) plus track_frontend.
// Fulcrum never speaks BGP: BIRD does, from a static protocol Fulcrum writes.

import FulcrumBytes

/// `bgp_defs { ... }`: how Fulcrum reaches BIRD and where the VIPs live.
public struct BGPDefinitions: Equatable, Sendable {
    /// Where the first `bgp_defs` block starts (nil: none was given).
    public var location: SourceLocation?
    /// `bird_socket`: BIRD's control socket (Debian's bird2 default).
    public var birdSocket = "/run/bird/bird.ctl"
    /// `bird_include`: the file Fulcrum writes the static protocol into; the
    /// operator's bird.conf `include`s it.
    public var birdInclude = "/etc/bird/fulcrum-vips.conf"
    /// `bird_protocol`: the name of that static protocol (what the BGP
    /// protocols' export filters name with `proto = "..."`).
    public var birdProtocol = "fulcrum_vips"
    /// `vip_interface`: the interface the VIPs are put on: an existing one
    /// (`lo` does, as for anycast addresses), else a dummy Fulcrum makes.
    public var vipInterface = "fulcrum-vip"
    /// Where `vip_interface` names it (nil: the default).
    public var vipInterfaceLocation: SourceLocation?
    /// `bird_retry`: milliseconds between attempts to reach a missing or stopped BIRD.
    public var birdRetry: Int64 = 2000
    public init() {}
}

/// One `bgp_instance NAME { ... }`: VIPs announced and withdrawn together.
/// Times are milliseconds.
public struct BGPInstanceConfig: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// `virtual_ipaddress { IP[/PREFIX] ... }` (IPv4: /32 when no prefix is written).
    public var virtualAddresses: [VRRPVirtualAddress] = []
    /// track_script: vrrp_script blocks by name (their own rise/fall and interval apply first).
    public var trackScripts: [VRRPTrack] = []
    /// track_interface: the interface must be up and running.
    public var trackInterfaces: [VRRPTrack] = []
    /// track_backend: the backend must have a usable server (UP, not in maintenance or drain).
    public var trackBackends: [VRRPTrack] = []
    /// track_frontend: the frontend must be serving (workers running, not disabled or shut down).
    public var trackFrontends: [VRRPTrack] = []
    /// `interval`: how often the tracked state is sampled.
    public var interval: Int64 = 1000
    /// `rise` / `fall`: consecutive healthy (unhealthy) samples before announcing (withdrawing).
    public var rise = 3
    public var fall = 2
    /// `hold_down`: once withdrawn, the route stays withdrawn at least this long.
    public var holdDown: Int64 = 10_000
    /// `drain_time`: on stop or removal the route is withdrawn first, and the
    /// VIP kept this long, so the flows still arriving finish.
    public var drainTime: Int64 = 5000
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// Everything the BGP announcer runs.
public struct BGPConfiguration: Equatable, Sendable {
    public var definitions = BGPDefinitions()
    public var instances: [BGPInstanceConfig] = []
    public init() {}
    public var isEmpty: Bool { instances.isEmpty }
    public func instance(named name: String) -> BGPInstanceConfig? { instances.first { $0.name == name } }
}
