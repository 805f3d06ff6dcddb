/// An IPv4 or IPv6 address: what a connection's endpoints, a typed sample
/// and a keepalived.conf address are. A plain value, no heap.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// A numeric IPv4 or IPv6 literal (no host name, no port, no brackets).
    public init?<S: StringProtocol>(_ text: S) {
        if let a = IPv4Address(text) { self = .v4(a) } else if let a = IPv6Address(text) { self = .v6(a) } else { return nil }
    }

    /// The same, from ASCII bytes (HAProxy's c_str2addr: IPv4 first, then IPv6).
    public init?<C: Collection>(ascii bytes: C) where C.Element == UInt8 {
        if let a = IPv4Address(ascii: bytes) { self = .v4(a) } else if let a = IPv6Address(ascii: bytes) { self = .v6(a) } else { return nil }
    }

    /// 4 or 16 bytes in network order (a sockaddr's address, `balance source`); nil otherwise.
    @inlinable
    public init?(networkBytes bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4: self = .v4(IPv4Address(networkBytes: bytes))
        case 16: self = .v6(IPv6Address(networkBytes: bytes))
        default: return nil
        }
    }

    @inlinable public var isIPv4: Bool { if case .v4 = self { return true } else { return false } }

    /// The IPv6 form: IPv4 addresses mapped (::ffff:a.b.c.d), so that one
    /// comparison serves both families as HAProxy's ACLs compare them.
    @inlinable public var mappedIPv6: IPv6Address {
        switch self {
        case .v4(let a): return IPv6Address(mapping: a)
        case .v6(let a): return a
        }
    }

    /// Longest text of either family.
    public static let maximumTextLength = IPv6Address.maximumTextLength

    /// Writes the text at `out` (at least `maximumTextLength` bytes); returns the count.
    @inlinable
    public func writeText(to out: UnsafeMutablePointer<UInt8>) -> Int {
        switch self {
        case .v4(let a): return a.writeText(to: out)
        case .v6(let a): return a.writeText(to: out)
        }
    }

    /// Calls `body` with the text in stack memory: no String, no heap.
    @inlinable
    public func withText<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: IPAddress.maximumTextLength) { buf in
            let n = writeText(to: buf.baseAddress!)
            return try body(UnsafeBufferPointer(start: buf.baseAddress!, count: n))
        }
    }

    /// Appends the text to `out`.
    @inlinable
    public func appendText(to out: inout [UInt8]) { withText { out.append(contentsOf: $0) } }

    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }
}
