/// The macvlan interface keepalived's `use_vmac` makes: RTM_NEWLINK of kind
/// macvlan in private mode on the instance's interface, carrying the VRRP
/// virtual MAC and brought up at once; RTM_DELLINK removes it.
public struct MacvlanLinkMessage: Equatable, Sendable {
    public var name: String
    public var parentIndex: Int32
    /// 6 bytes: 00-00-5E-00-01-{VRID} for VRRP over IPv4.
    public var mac: [UInt8]

    public init(name: String, parentIndex: Int32, mac: [UInt8]) {
        self.name = name; self.parentIndex = parentIndex; self.mac = mac
    }

    /// VRRP's virtual router MAC for IPv4 (RFC 5798 section 7.3).
    public static func virtualRouterMAC(vrid: UInt8) -> [UInt8] { [0x00, 0x00, 0x5e, 0x00, 0x01, vrid] }

    public func request(sequence: UInt32) -> [UInt8] {
        typealias K = NetlinkConstants
        var r = NetlinkRequest(type: K.newLink, flags: K.ackFlag | K.createFlag | K.exclusiveFlag, sequence: sequence)
        Self.appendHeader(&r, index: 0, up: true)
        r.attribute(K.iflaName, string: name)
        r.attribute(K.iflaLink, integer: UInt32(bitPattern: parentIndex))
        r.attribute(K.iflaAddress, bytes: mac)
        r.nest(K.iflaLinkInfo) { info in
            info.attribute(K.iflaInfoKind, bytes: Array("macvlan".utf8))
            info.nest(K.iflaInfoData) { data in data.attribute(K.iflaMacvlanMode, integer: K.macvlanModePrivate) }
        }
        return r.finished
    }

    /// RTM_DELLINK of the interface with kernel index `index`.
    public static func deleteRequest(index: Int32, sequence: UInt32) -> [UInt8] {
        var r = NetlinkRequest(type: NetlinkConstants.deleteLink, flags: NetlinkConstants.ackFlag, sequence: sequence)
        appendHeader(&r, index: index, up: false)
        return r.finished
    }

    /// struct ifinfomsg: family, pad, type, index, flags, change.
    private static func appendHeader(_ r: inout NetlinkRequest, index: Int32, up: Bool) {
        r.append(UInt8(0)); r.append(UInt8(0)); r.append(UInt16(0))
        r.append(index)
        r.append(up ? NetlinkConstants.interfaceUp : UInt32(0))
        r.append(up ? NetlinkConstants.interfaceUp : UInt32(0))
    }
}
