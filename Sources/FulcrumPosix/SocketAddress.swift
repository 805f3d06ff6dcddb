import Glibc
import CFulcrum
import FulcrumBytes

/// An IPv4 or IPv6 socket address held in a sockaddr_storage, so it can be
/// passed to bind/connect without allocation.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var storage: sockaddr_storage
    public var length: socklen_t

    public init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage; self.length = length
    }

    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        a.length == b.length && withUnsafeBytes(of: a.storage) { pa in
            withUnsafeBytes(of: b.storage) { pb in memcmp(pa.baseAddress!, pb.baseAddress!, Int(a.length)) == 0 }
        }
    }
    public func hash(into h: inout Hasher) {
        withUnsafeBytes(of: storage) { h.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<Int(length)])) }
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// Parses a numeric IPv4 or IPv6 literal (no name resolution).
    public init?(numericHost host: String, port: Int) {
        guard let address = IPAddress(host) else { return nil }
        self.init(address, port: port)
    }

    /// The socket address of `address` and `port`.
    public init(_ address: IPAddress, port: Int) {
        var st = sockaddr_storage()
        switch address {
        case .v6(let a):
            var a6 = sockaddr_in6()
            a6.sin6_family = sa_family_t(AF_INET6)
            a6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &a6.sin6_addr) { dst in
                dst.storeBytes(of: a.high.bigEndian, toByteOffset: 0, as: UInt64.self)
                dst.storeBytes(of: a.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            withUnsafeMutableBytes(of: &st) { dst in withUnsafeBytes(of: a6) { dst.copyMemory(from: $0) } }
            self.init(storage: st, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
        case .v4(let a):
            var a4 = sockaddr_in()
            a4.sin_family = sa_family_t(AF_INET)
            a4.sin_port = in_port_t(UInt16(port).bigEndian)
            a4.sin_addr.s_addr = a.networkOrder
            withUnsafeMutableBytes(of: &st) { dst in withUnsafeBytes(of: a4) { dst.copyMemory(from: $0) } }
            self.init(storage: st, length: socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }

    /// Resolves a host name or literal with getaddrinfo (startup only: blocking).
    public static func resolve(host: String, port: Int) -> SocketAddress? {
        if let literal = SocketAddress(numericHost: host, port: port) { return literal }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else { return nil }
        defer { freeaddrinfo(res) }
        var st = sockaddr_storage()
        let len = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &st) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(len)))
        }
        return SocketAddress(storage: st, length: len)
    }

    /// A UNIX socket file's address.
    public init?(unixPath path: String) {
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: a.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &a.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        var st = sockaddr_storage()
        withUnsafeMutableBytes(of: &st) { dst in withUnsafeBytes(of: a) { dst.copyMemory(from: $0) } }
        self.init(storage: st, length: socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
    }

    /// An `abns@name` address: the name after a NUL, padded over the whole
    /// sun_path, as HAProxy 2.6 binds and connects it.
    public init?(abstractName name: String) {
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        guard bytes.count + 1 < MemoryLayout.size(ofValue: a.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &a.sun_path) { p in for (i, b) in bytes.enumerated() { p[i + 1] = b } }
        var st = sockaddr_storage()
        withUnsafeMutableBytes(of: &st) { dst in withUnsafeBytes(of: a) { dst.copyMemory(from: $0) } }
        self.init(storage: st, length: socklen_t(MemoryLayout<sockaddr_un>.size))
    }

    /// The port; 0 for a UNIX socket address, which has none (and setting it does nothing).
    public var port: Int {
        get {
            if family == AF_UNIX { return 0 }
            return withUnsafeBytes(of: storage) { p in
                if family == AF_INET6 { return Int(UInt16(bigEndian: p.load(fromByteOffset: 2, as: UInt16.self))) }
                return Int(UInt16(bigEndian: p.load(fromByteOffset: 2, as: UInt16.self)))
            }
        }
        set {
            if family == AF_UNIX { return }
            // sin_port and sin6_port both sit at offset 2.
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: UInt16(newValue).bigEndian, toByteOffset: 2, as: UInt16.self) }
        }
    }

    /// The address bytes (4 or 16), e.g. as a `balance source` key; none
    /// for a UNIX socket's address.
    @inline(__always)
    public func withAddressBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: storage) { p in
            if family == AF_INET6 { return body(UnsafeRawBufferPointer(rebasing: p[8..<24])) }
            if family == AF_UNIX { return body(UnsafeRawBufferPointer(rebasing: p[0..<0])) }
            return body(UnsafeRawBufferPointer(rebasing: p[4..<8]))
        }
    }

    /// A UNIX socket's address (a client of a unix bind, or the bind itself).
    public var isUnix: Bool { family == AF_UNIX }

    public var hostString: String { ipAddress.description }

    public var description: String {
        if family == AF_UNIX { return "unix" }
        return family == AF_INET6 ? "[\(hostString)]:\(port)" : "\(hostString):\(port)"
    }
}
