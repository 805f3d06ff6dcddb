import Glibc
import CFulcrum

/// TCP socket operations over FileDescriptor. All sockets are created
/// non-blocking and close-on-exec.
public enum Socket {
    /// A listening socket with SO_REUSEADDR and SO_REUSEPORT, so that one socket
    /// per worker slot can share the address and the kernel spreads connections.
    /// `transparent`: IP_TRANSPARENT (IPV6_TRANSPARENT), so a foreign address
    /// can be bound and connections to any address routed here are accepted.
    public static func listen(on address: SocketAddress, backlog: Int32, reusePort: Bool = true,
                              transparent: Bool = false, options: ListenOptions = ListenOptions()) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(try syscall { cf_socket(address.family, Int32(SOCK_STREAM.rawValue), 0) })
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            if transparent { try makeForeign(fd, v6: address.family == AF_INET6) }
            try applyBeforeBind(fd, family: address.family, options)
            var addr = address
            try syscall {
                withUnsafePointer(to: &addr.storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd.rawValue, $0, addr.length) }
                }
            }
            try applyAfterBind(fd, options)
            try syscall { Glibc.listen(fd.rawValue, backlog) }
            return fd
        } catch {
            fd.close()
            throw error
        }
    }

    /// Lets `fd` bind an address this host does not have, as HAProxy's
    /// sock_inet_make_foreign: IP_TRANSPARENT (IPV6_TRANSPARENT), else
    /// IP_FREEBIND (IPV6_FREEBIND) where the former is refused (no CAP_NET_ADMIN).
    public static func makeForeign(_ fd: FileDescriptor, v6: Bool) throws(Errno) {
        do {
            if v6 { try setOption(fd, Int32(IPPROTO_IPV6), 75 /* IPV6_TRANSPARENT */, 1) }
            else { try setOption(fd, Int32(SOL_IP), 19 /* IP_TRANSPARENT */, 1) }
        } catch {
            if v6 { try setOption(fd, Int32(IPPROTO_IPV6), 78 /* IPV6_FREEBIND */, 1) }
            else { try setOption(fd, Int32(SOL_IP), 15 /* IP_FREEBIND */, 1) }
        }
    }

    /// bind(2) to `address` (an outgoing connection's source).
    public static func bind(_ fd: FileDescriptor, to address: SocketAddress) throws(Errno) {
        var addr = address
        try syscall {
            withUnsafePointer(to: &addr.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd.rawValue, $0, addr.length) }
            }
        }
    }

    /// accept4(2), non-blocking + cloexec. Throws .again when the queue is empty.
    @inline(__always)
    public static func accept(_ listener: FileDescriptor, peer: inout SocketAddress) throws(Errno) -> FileDescriptor {
        peer.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let r = withUnsafeMutablePointer(to: &peer.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cf_accept4(listener.rawValue, $0, &peer.length) }
            }
            if r >= 0 { return FileDescriptor(r) }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    /// Starts a non-blocking connect. Returns true when already connected,
    /// false when in progress (wait for writability, then `pendingError`).
    public static func connect(_ fd: FileDescriptor, to address: SocketAddress) throws(Errno) -> Bool {
        var addr = address
        let r = withUnsafePointer(to: &addr.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd.rawValue, $0, addr.length) }
        }
        if r == 0 { return true }
        if errno == EINPROGRESS || errno == EINTR { return false }
        throw Errno.current
    }

    /// A new non-blocking TCP socket for `family`.
    public static func stream(family: Int32) throws(Errno) -> FileDescriptor {
        FileDescriptor(try syscall { cf_socket(family, Int32(SOCK_STREAM.rawValue), 0) })
    }

    /// A new non-blocking UDP socket for `family`.
    public static func datagram(family: Int32) throws(Errno) -> FileDescriptor {
        FileDescriptor(try syscall { cf_socket(family, Int32(SOCK_DGRAM.rawValue), 0) })
    }

    /// SO_ERROR: the outcome of a non-blocking connect.
    public static func pendingError(_ fd: FileDescriptor) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd.rawValue, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return errno }
        return err
    }

    public static func setOption(_ fd: FileDescriptor, _ level: Int32, _ name: Int32, _ value: Int32) throws(Errno) {
        var v = value
        try syscall { setsockopt(fd.rawValue, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// `set-mark`: SO_MARK on an inet connection (`peer`: its source as the
    /// rules see it), as HAProxy's conn_set_mark; a failure (no
    /// CAP_NET_ADMIN) changes nothing, as there.
    public static func setMark(_ fd: FileDescriptor, _ mark: UInt32, peer: SocketAddress) {
        guard peer.family == AF_INET || peer.family == AF_INET6 else { return }
        try? setOption(fd, SOL_SOCKET, SO_MARK, Int32(bitPattern: mark))
    }

    /// `set-tos`: IP_TOS, or IPV6_TCLASS for an IPv6 source that is not a
    /// v4-mapped one, as HAProxy's conn_set_tos.
    public static func setTypeOfService(_ fd: FileDescriptor, _ tos: Int32, peer: SocketAddress) {
        switch peer.family {
        case AF_INET:
            try? setOption(fd, Int32(IPPROTO_IP), IP_TOS, tos)
        case AF_INET6:
            let mapped = withUnsafeBytes(of: peer.storage) { raw -> Bool in
                let at = MemoryLayout<sockaddr_in6>.offset(of: \sockaddr_in6.sin6_addr)!
                return raw[at..<at + 10].allSatisfy { $0 == 0 } && raw[at + 10] == 0xff && raw[at + 11] == 0xff
            }
            if mapped { try? setOption(fd, Int32(IPPROTO_IP), IP_TOS, tos) } else { try? setOption(fd, Int32(IPPROTO_IPV6), IPV6_TCLASS, tos) }
        default:
            break
        }
    }

    /// Whether TCP_NODELAY is set (an accepted socket inherits it from its
    /// listener on Linux, which saves a setsockopt per connection).
    public static func noDelay(_ fd: FileDescriptor) -> Bool {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &v, &len) == 0 && v != 0
    }

    public static func setNoDelay(_ fd: FileDescriptor) {
        var one: Int32 = 1
        _ = setsockopt(fd.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// send(2) with MSG_NOSIGNAL; throws .again when the buffer is full.
    @inline(__always)
    public static func send(_ fd: FileDescriptor, _ buffer: UnsafeRawPointer, count: Int) throws(Errno) -> Int {
        while true {
            let n = cf_send(fd.rawValue, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    /// send(2) with MSG_NOSIGNAL and MSG_MORE: the caller has more of the
    /// message to send, so the kernel may hold a partial segment for it
    /// (at most 200 ms). Throws .again when the buffer is full.
    @inline(__always)
    public static func sendMore(_ fd: FileDescriptor, _ buffer: UnsafeRawPointer, count: Int) throws(Errno) -> Int {
        while true {
            let n = Glibc.send(fd.rawValue, buffer, count, Int32(MSG_NOSIGNAL) | Int32(MSG_MORE))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    public static func shutdownWrite(_ fd: FileDescriptor) { _ = Glibc.shutdown(fd.rawValue, Int32(SHUT_WR)) }

    /// Closes with an RST instead of a FIN (SO_LINGER 0), for aborted sessions.
    public static func abort(_ fd: FileDescriptor) {
        var l = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        fd.close()
    }

    /// Makes the kernel forget the connection without telling the peer
    /// (HAProxy's silent-drop): TCP_REPAIR when allowed (CAP_NET_ADMIN), so
    /// closing sends nothing; else a hop limit of 1, so the reset that
    /// closing sends dies on the way. The caller closes the descriptor.
    public static func silence(_ fd: FileDescriptor) {
        var one: Int32 = 1
        // As HAProxy: what the client sent is read and acknowledged at once
        // first (listeners may have TCP_QUICKACK off: tcp-smart-accept), or
        // the client resends it to a socket gone and gets a reset.
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { b in
            for _ in 0..<16 where recv(fd.rawValue, b.baseAddress!, b.count, Int32(MSG_DONTWAIT)) > 0 {}
        }
        _ = setsockopt(fd.rawValue, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
        if setsockopt(fd.rawValue, Int32(IPPROTO_TCP), 19 /* TCP_REPAIR */, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 { return }
        _ = setsockopt(fd.rawValue, Int32(IPPROTO_IP), IP_TTL, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd.rawValue, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, &one, socklen_t(MemoryLayout<Int32>.size))
        var l = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    }

    public static func localAddress(_ fd: FileDescriptor) -> SocketAddress? {
        var st = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd.rawValue, $0, &len) }
        }
        return r == 0 ? SocketAddress(storage: st, length: len) : nil
    }

    /// The peer's address (getpeername).
    public static func remoteAddress(_ fd: FileDescriptor) -> SocketAddress? {
        var st = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd.rawValue, $0, &len) }
        }
        return r == 0 ? SocketAddress(storage: st, length: len) : nil
    }

    /// Whether an inherited descriptor is a listening TCP socket (for `fd@N`).
    public static func isListeningStream(_ fd: FileDescriptor) -> Bool {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd.rawValue, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 else { return false }
        return v != 0
    }
}
