// Routes and policy-routing rules keepalived installs: `static_routes` /
// `static_rules` for the whole life of the VRRP process, `virtual_routes` /
// `virtual_rules` of an instance while it is MASTER. IPv4 only, as Fulcrum's
// VIPs: the values are what rtnetlink is asked for, with keepalived's defaults.

import FulcrumBytes

/// A route's kernel type (rtm_type): keepalived writes it before the destination.
public enum VRRPRouteType: String, Equatable, Sendable, CaseIterable {
    case unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit
    case `throw` = "throw"
}

/// One gateway of a route: `via IP [dev IF]`, or a `nexthop` / `or` entry of a
/// multipath route.
public struct VRRPNextHop: Equatable, Sendable {
    public var gateway: IPv4Address?
    public var device: String?
    /// `weight W` (1...256) of a multipath nexthop; nil: 1.
    public var weight: Int?
    /// `onlink`: the gateway is on the link even without a matching subnet.
    public var onlink = false
    public init(gateway: IPv4Address? = nil, device: String? = nil) { self.gateway = gateway; self.device = device }
}

/// One line of `static_routes` / `virtual_routes`:
/// `[TYPE] [src IP] [to] PREFIX [via|gw IP] [or IP] [dev IF] [scope S] [table T] [metric N] ...`.
public struct VRRPRoute: Equatable, Sendable {
    public var location: SourceLocation
    public var type: VRRPRouteType = .unicast
    public var destination: IPv4Address
    public var prefixLength: Int
    /// `src IP`: the preferred source address (RTA_PREFSRC).
    public var source: IPv4Address?
    /// The first (or only) gateway and device.
    public var gateway: IPv4Address?
    public var device: String?
    public var onlink = false
    /// More than one: a multipath route (`nexthop ...`, or keepalived's deprecated `or IP`).
    public var nextHops: [VRRPNextHop] = []
    /// nil: iproute2's default, link for a unicast route without gateway, host for
    /// local, link for broadcast/anycast/multicast, global otherwise.
    public var scope: UInt8?
    /// 254 (main) unless `table` says otherwise.
    public var table: UInt32 = 254
    /// `metric` / `priority` / `preference` (RTA_PRIORITY).
    public var metric: UInt32?
    /// `protocol` / `proto`: 18 ("keepalived", as keepalived marks its routes) by default.
    public var proto: UInt8 = 18
    /// `tos` / `dsfield`.
    public var tos: UInt8 = 0
    /// `mtu N` and `advmss N` (RTA_METRICS).
    public var mtu: UInt32?
    public var advmss: UInt32?
    /// `no_track`: keepalived does not watch the route for deletion; Fulcrum never does.
    public var noTrack = false
    public init(location: SourceLocation, destination: IPv4Address, prefixLength: Int) {
        self.location = location; self.destination = destination; self.prefixLength = prefixLength
    }
}

/// An IPv4 network of a rule: `A.B.C.D[/LEN]`.
public struct VRRPPrefix: Equatable, Sendable {
    public var address: IPv4Address
    public var prefixLength: Int
    public init(_ address: IPv4Address, _ prefixLength: Int) { self.address = address; self.prefixLength = prefixLength }
}

/// What a rule does when it matches.
public enum VRRPRuleAction: Equatable, Sendable {
    /// `table N` (FR_ACT_TO_TBL).
    case table(UInt32)
    /// `goto PREF` (FR_ACT_GOTO).
    case goto(UInt32)
    case blackhole, unreachable, prohibit, nop
}

/// One line of `static_rules` / `virtual_rules`:
/// `[not] [from PREFIX] [to PREFIX] [iif IF] [oif IF] [fwmark N[/M]] [tos N]
/// [priority N] table N|goto N|blackhole|unreachable|prohibit|nop ...`.
public struct VRRPRule: Equatable, Sendable {
    public var location: SourceLocation
    public var from: VRRPPrefix?
    public var to: VRRPPrefix?
    public var action: VRRPRuleAction = .nop
    /// `priority` / `preference` / `prio`; when not written, keepalived counts down
    /// from 16384 (with its warning).
    public var priority: UInt32 = 0
    public var inputInterface: String?
    public var outputInterface: String?
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    public var tos: UInt8 = 0
    /// `not` / `invert`: FIB_RULE_INVERT.
    public var invert = false
    /// `suppress_prefixlength N`.
    public var suppressPrefixLength: Int?
    public var noTrack = false
    public init(location: SourceLocation) { self.location = location }
}

/// `static_ipaddress`, `static_routes`, `static_rules`: installed when the VRRP
/// process starts and removed when it stops, whatever the instances' states.
public struct VRRPStaticSettings: Equatable, Sendable {
    public var addresses: [VRRPVirtualAddress] = []
    public var routes: [VRRPRoute] = []
    public var rules: [VRRPRule] = []
    public var isEmpty: Bool { addresses.isEmpty && routes.isEmpty && rules.isEmpty }
    public init() {}
}
