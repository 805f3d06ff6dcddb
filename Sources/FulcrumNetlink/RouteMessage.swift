import FulcrumBytes

/// An IPv4 route as rtnetlink takes it (struct rtmsg and its attributes),
/// with interfaces already resolved to indexes. `request` builds the
/// RTM_NEWROUTE (create, exclusive) or RTM_DELROUTE that adds or removes it.
public struct RouteMessage: Equatable, Sendable {
    /// One hop of a multipath route (struct rtnexthop).
    public struct NextHop: Equatable, Sendable {
        public var gateway: IPv4Address?
        public var interfaceIndex: Int32
        /// 1...256; the kernel stores weight - 1 in rtnh_hops.
        public var weight: Int
        public var onlink: Bool
        public init(gateway: IPv4Address?, interfaceIndex: Int32 = 0, weight: Int = 1, onlink: Bool = false) {
            self.gateway = gateway; self.interfaceIndex = interfaceIndex; self.weight = weight; self.onlink = onlink
        }
    }

    public var destination: IPv4Address
    public var prefixLength: UInt8
    public var tos: UInt8 = 0
    public var table: UInt32 = 254
    public var proto: UInt8 = 18
    /// nil: iproute2's choice (see `effectiveScope`).
    public var scope: UInt8?
    /// rtm_type: 1 unicast, 2 local, 3 broadcast, 4 anycast, 5 multicast,
    /// 6 blackhole, 7 unreachable, 8 prohibit, 9 throw.
    public var type: UInt8 = 1
    public var onlink = false
    public var source: IPv4Address?
    public var gateway: IPv4Address?
    public var interfaceIndex: Int32 = 0
    public var metric: UInt32?
    public var mtu: UInt32?
    public var advmss: UInt32?
    public var nextHops: [NextHop] = []

    public init(destination: IPv4Address, prefixLength: UInt8) {
        self.destination = destination; self.prefixLength = prefixLength
    }

    /// iproute2's default scope: host for local, link for broadcast, anycast,
    /// multicast and for a unicast route with no gateway, global otherwise. A
    /// deletion without an explicit scope uses nowhere, which the kernel
    /// takes as "any scope".
    public func effectiveScope(deleting: Bool) -> UInt8 {
        if let scope { return scope }
        switch type {
        case 2: return 254
        case 3, 4, 5: return 253
        case 1:
            if deleting { return 255 }
            return gateway == nil && nextHops.isEmpty ? 253 : 0
        default: return 0
        }
    }

    public func request(adding: Bool, sequence: UInt32) -> [UInt8] {
        typealias K = NetlinkConstants
        let flags = adding ? K.ackFlag | K.createFlag | K.exclusiveFlag : K.ackFlag
        var r = NetlinkRequest(type: adding ? K.newRoute : K.deleteRoute, flags: flags, sequence: sequence)
        r.append(K.inet); r.append(prefixLength); r.append(UInt8(0)); r.append(tos)
        r.append(table < 256 ? UInt8(table) : K.tableCompat)
        r.append(proto); r.append(effectiveScope(deleting: !adding)); r.append(type)
        r.append(UInt32(onlink ? UInt32(K.nexthopOnlink) : 0))
        r.attribute(K.rtaTable, integer: table)
        if prefixLength > 0 || destination.value != 0 { r.attribute(K.rtaDestination, ipv4: destination) }
        if let source { r.attribute(K.rtaPreferredSource, ipv4: source) }
        if let gateway { r.attribute(K.rtaGateway, ipv4: gateway) }
        if interfaceIndex != 0 { r.attribute(K.rtaOutputInterface, integer: interfaceIndex) }
        if let metric { r.attribute(K.rtaPriority, integer: metric) }
        if mtu != nil || advmss != nil {
            r.nest(K.rtaMetrics) { m in
                if let mtu { m.attribute(K.rtaxMTU, integer: mtu) }
                if let advmss { m.attribute(K.rtaxAdvMSS, integer: advmss) }
            }
        }
        if !nextHops.isEmpty {
            r.nest(K.rtaMultipath) { m in
                for hop in nextHops {
                    let start = m.count
                    m.append(UInt16(0))                               // rtnh_len
                    m.append(hop.onlink ? K.nexthopOnlink : UInt8(0)) // rtnh_flags
                    m.append(UInt8(max(1, min(256, hop.weight)) - 1)) // rtnh_hops
                    m.append(hop.interfaceIndex)                      // rtnh_ifindex
                    if let g = hop.gateway { m.attribute(K.rtaGateway, ipv4: g) }
                    m.setLength(UInt16(m.count - start), at: start)
                }
            }
        }
        return r.finished
    }
}
