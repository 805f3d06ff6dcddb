import FulcrumBytes
import Glibc
import CFulcrum

/// An IPv4 address on an interface, as the kernel lists it (RTM_NEWADDR) and as
/// VRRP adds and removes virtual addresses (keepalived's
/// `IP[/PREFIX] [brd IP] [dev IF] [scope S] [label L]`).
public struct InterfaceAddress: Equatable, Sendable, CustomStringConvertible {
    public var interfaceIndex: Int32
    /// IFA_LOCAL: the address itself (IFA_ADDRESS when there is no IFA_LOCAL).
    public var address: IPv4Address
    public var prefixLength: UInt8
    public var broadcast: IPv4Address?
    /// IFA_LABEL, e.g. "eth0:vip"; the kernel uses the interface name when absent.
    public var label: String?
    public var scope: AddressScope
    /// IFA_F_* flags as listed (ignored when adding or deleting).
    public var flags: UInt32

    public init(interfaceIndex: Int32, address: IPv4Address, prefixLength: UInt8 = 32,
                broadcast: IPv4Address? = nil, label: String? = nil, scope: AddressScope = .global,
                flags: UInt32 = 0) {
        self.interfaceIndex = interfaceIndex; self.address = address; self.prefixLength = prefixLength
        self.broadcast = broadcast; self.label = label; self.scope = scope; self.flags = flags
    }

    /// IFA_F_SECONDARY: another address on the interface already covers this
    /// subnet, so this one is never used as a source by default.
    public var isSecondary: Bool { flags & CF_IFA_F_SECONDARY != 0 }

    public var description: String {
        var s = "\(address)/\(prefixLength)"
        if let broadcast { s += " brd \(broadcast)" }
        s += " scope \(scope)"
        if let label { s += " label \(label)" }
        if isSecondary { s += " secondary" }
        return s
    }

    /// ifaddrmsg is 8 bytes: family, prefixlen, flags, scope, index.
    static let fixedHeaderSize = 8

    /// Decodes an RTM_NEWADDR / RTM_DELADDR payload; nil unless it is IPv4.
    init?(addressPayload p: UnsafeRawBufferPointer) {
        guard p.count >= Self.fixedHeaderSize, Int32(p[0]) == AF_INET else { return nil }
        var local: IPv4Address?, peer: IPv4Address?, broadcast: IPv4Address?, label: String?
        var flags = UInt32(p[2])
        NetlinkMessage.forEachAttribute(in: UnsafeRawBufferPointer(rebasing: p[Self.fixedHeaderSize...])) { type, v in
            switch type {
            case CF_IFA_LOCAL where v.count == 4: local = IPv4Address(networkBytes: v)
            case CF_IFA_ADDRESS where v.count == 4: peer = IPv4Address(networkBytes: v)
            case CF_IFA_BROADCAST where v.count == 4: broadcast = IPv4Address(networkBytes: v)
            case CF_IFA_LABEL: label = NetlinkMessage.string(v)
            case CF_IFA_FLAGS where v.count >= 4: flags = v.loadUnaligned(as: UInt32.self)
            default: break
            }
        }
        guard let address = local ?? peer else { return nil }
        self.init(interfaceIndex: Int32(bitPattern: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)),
                  address: address, prefixLength: p[1], broadcast: broadcast, label: label,
                  scope: AddressScope(rawValue: p[3]), flags: flags)
    }

    /// The RTM_NEWADDR / RTM_DELADDR request for this address.
    func request(type: UInt16, flags: UInt16, sequence: UInt32) -> [UInt8] {
        var r = NetlinkRequest(type: type, flags: flags, sequence: sequence)
        r.append(UInt8(AF_INET))
        r.append(prefixLength)
        r.append(UInt8(0))
        r.append(scope.rawValue)
        r.append(UInt32(bitPattern: interfaceIndex))
        r.attribute(CF_IFA_LOCAL, ipv4: address)
        r.attribute(CF_IFA_ADDRESS, ipv4: address)
        if let broadcast { r.attribute(CF_IFA_BROADCAST, ipv4: broadcast) }
        if let label { r.attribute(CF_IFA_LABEL, string: label) }
        return r.finished
    }
}

/// The scope of an address (ifa_scope), with the names keepalived and `ip` accept.
public struct AddressScope: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let global = AddressScope(rawValue: CF_RT_SCOPE_UNIVERSE)
    public static let site = AddressScope(rawValue: 200)
    public static let link = AddressScope(rawValue: CF_RT_SCOPE_LINK)
    public static let host = AddressScope(rawValue: CF_RT_SCOPE_HOST)
    public static let nowhere = AddressScope(rawValue: 255)

    private static let names: [(String, AddressScope)] =
        [("global", .global), ("site", .site), ("link", .link), ("host", .host), ("nowhere", .nowhere)]

    /// "global", "site", "link", "host", "nowhere" or a number 0-255.
    public init?(name: String) {
        if let hit = Self.names.first(where: { $0.0 == name }) { self = hit.1; return }
        guard let n = UInt8(name) else { return nil }
        rawValue = n
    }
    public var description: String { Self.names.first { $0.1 == self }?.0 ?? String(rawValue) }
}

/// How an address change ended when nothing failed. The kernel's EEXIST on add
/// and EADDRNOTAVAIL on delete mean the wanted state already holds; they are
/// reported apart from a real change so the caller can log them, not fail.
public enum AddressChangeOutcome: Equatable, Sendable {
    case applied
    /// Add: the address was already on the interface (EEXIST).
    case alreadyPresent
    /// Delete: the address was not on the interface (EADDRNOTAVAIL).
    case alreadyAbsent
}
