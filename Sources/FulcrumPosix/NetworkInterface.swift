import Glibc
import CFulcrum

/// What the kernel says about one network interface (RTM_NEWLINK): enough for
/// VRRP to pick the interface, source its frames and notice it going down.
public struct NetworkInterface: Equatable, Sendable {
    public var index: Int32
    public var name: String
    /// IFF_* flags (ifi_flags).
    public var flags: UInt32
    public var mtu: UInt32
    /// IFLA_ADDRESS; nil on interfaces without a link-layer address.
    public var mac: MACAddress?
    public var operState: OperState
    /// IFLA_CARRIER, when the kernel reports it.
    public var carrier: Bool?

    public init(index: Int32, name: String, flags: UInt32, mtu: UInt32 = 0, mac: MACAddress? = nil,
                operState: OperState = .unknown, carrier: Bool? = nil) {
        self.index = index; self.name = name; self.flags = flags; self.mtu = mtu
        self.mac = mac; self.operState = operState; self.carrier = carrier
    }

    /// RFC 2863 operational state (IFLA_OPERSTATE).
    public struct OperState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let unknown = OperState(rawValue: 0)
        public static let notPresent = OperState(rawValue: 1)
        public static let down = OperState(rawValue: 2)
        public static let lowerLayerDown = OperState(rawValue: 3)
        public static let testing = OperState(rawValue: 4)
        public static let dormant = OperState(rawValue: 5)
        public static let up = OperState(rawValue: 6)
        private static let names = ["unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"]
        public var description: String {
            Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "state\(rawValue)"
        }
    }

    /// IFF_UP: administratively up.
    public var isUp: Bool { flags & UInt32(IFF_UP) != 0 }
    /// IFF_RUNNING: the kernel's operational "up" (RFC 2863 up, carrier present).
    public var isRunning: Bool { flags & UInt32(IFF_RUNNING) != 0 }
    /// keepalived's test for a usable interface (IF_ISUP): IFF_UP and IFF_RUNNING.
    public var isOperational: Bool { isUp && isRunning }

    /// ifinfomsg is 16 bytes: family, pad, type, index, flags, change.
    static let fixedHeaderSize = 16

    /// Decodes an RTM_NEWLINK / RTM_DELLINK payload.
    init?(linkPayload p: UnsafeRawBufferPointer) {
        guard p.count >= Self.fixedHeaderSize else { return nil }
        index = p.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        flags = p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        var name = "", mtu: UInt32 = 0, mac: MACAddress? = nil, oper = OperState.unknown, carrier: Bool? = nil
        NetlinkMessage.forEachAttribute(in: UnsafeRawBufferPointer(rebasing: p[Self.fixedHeaderSize...])) { type, v in
            switch type {
            case CF_IFLA_IFNAME: name = NetlinkMessage.string(v)
            case CF_IFLA_MTU where v.count >= 4: mtu = v.loadUnaligned(as: UInt32.self)
            case CF_IFLA_ADDRESS: mac = MACAddress(bytes: v)
            case CF_IFLA_OPERSTATE where v.count >= 1: oper = OperState(rawValue: v[0])
            case CF_IFLA_CARRIER where v.count >= 1: carrier = v[0] != 0
            default: break
            }
        }
        self.name = name; self.mtu = mtu; self.mac = mac; self.operState = oper; self.carrier = carrier
    }
}
