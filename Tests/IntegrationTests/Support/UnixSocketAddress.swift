import Glibc

/// Builds a sockaddr_un for a filesystem path; paths over 107 bytes do not fit
/// and are rejected rather than silently truncated.
enum UnixSocketAddress {
    static func make(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw HarnessError.failed("unix socket path too long (\(bytes.count) >= \(capacity)): \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Calls `body` with the address as a generic sockaddr pointer.
    static func with<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T {
        var address = try make(path)
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// A unix datagram socket bound at `path` (which must not exist), with
    /// its receive buffer set when `receiveBuffer` is given: what a test
    /// that plays a syslog or a notify socket listens on.
    static func boundDatagram(_ path: String, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket(AF_UNIX, SOCK_DGRAM)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        do {
            try with(path) { address, length in
                guard bind(fd, address, length) == 0 else { throw HarnessError.posix("bind(\(path))") }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}
