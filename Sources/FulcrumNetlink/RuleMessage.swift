import FulcrumBytes

/// An IPv4 policy-routing rule as rtnetlink takes it (struct fib_rule_hdr and
/// its FRA_* attributes). `request` builds the RTM_NEWRULE (create,
/// exclusive) or RTM_DELRULE that adds or removes it.
public struct RuleMessage: Equatable, Sendable {
    /// FR_ACT_*: 1 to table, 2 goto, 3 nop, 6 blackhole, 7 unreachable, 8 prohibit.
    public var action: UInt8 = 1
    public var table: UInt32 = 0
    public var gotoPriority: UInt32?
    public var priority: UInt32
    public var source: Prefix?
    public var destination: Prefix?
    public var inputInterface: String?
    public var outputInterface: String?
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    public var tos: UInt8 = 0
    public var invert = false
    public var suppressPrefixLength: UInt32?

    public init(priority: UInt32) { self.priority = priority }

    /// FRA_SRC / FRA_DST with their length in the header.
    public struct Prefix: Equatable, Sendable {
        public var address: IPv4Address
        public var prefixLength: UInt8
        public init(_ address: IPv4Address, _ prefixLength: UInt8) { self.address = address; self.prefixLength = prefixLength }
    }

    public func request(adding: Bool, sequence: UInt32) -> [UInt8] {
        typealias K = NetlinkConstants
        let flags = adding ? K.ackFlag | K.createFlag | K.exclusiveFlag : K.ackFlag
        var r = NetlinkRequest(type: adding ? K.newRule : K.deleteRule, flags: flags, sequence: sequence)
        r.append(K.inet)
        r.append(destination?.prefixLength ?? 0)
        r.append(source?.prefixLength ?? 0)
        r.append(tos)
        r.append(action == 1 ? (table < 256 ? UInt8(table) : K.tableCompat) : UInt8(0))
        r.append(UInt8(0)); r.append(UInt8(0))
        r.append(action)
        r.append(invert ? K.ruleInvert : UInt32(0))
        r.attribute(K.fraPriority, integer: priority)
        if action == 1 { r.attribute(K.fraTable, integer: table) }
        if let gotoPriority { r.attribute(K.fraGoto, integer: gotoPriority) }
        if let source { r.attribute(K.fraSource, ipv4: source.address) }
        if let destination { r.attribute(K.fraDestination, ipv4: destination.address) }
        if let inputInterface { r.attribute(K.fraInputName, string: inputInterface) }
        if let outputInterface { r.attribute(K.fraOutputName, string: outputInterface) }
        if let fwmark { r.attribute(K.fraFwmark, integer: fwmark) }
        if let fwmask { r.attribute(K.fraFwmask, integer: fwmask) }
        if let suppressPrefixLength { r.attribute(K.fraSuppressPrefixLength, integer: suppressPrefixLength) }
        return r.finished
    }
}
