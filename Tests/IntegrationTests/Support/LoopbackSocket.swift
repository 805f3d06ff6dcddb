import Glibc

/// Thin wrappers over the socket calls the harness needs, always on
/// 127.0.0.1 and always close-on-exec (so the daemon under test never inherits
/// a test backend's socket and keeps it alive after the backend stops).
enum LoopbackSocket {
    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    static func makeTCP() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket") }
        return fd
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    static func bind(_ fd: Int32, port: UInt16) throws {
        var address = address(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw HarnessError.posix("bind(127.0.0.1:\(port))") }
    }

    static func localPort(_ fd: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw HarnessError.posix("getsockname") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Listening socket on 127.0.0.1:`port` (0 picks one) with SO_REUSEADDR,
    /// so a backend can be restarted on the same port at once.
    static func listen(port: UInt16, backlog: Int32 = 128) throws -> Int32 {
        let fd = try makeTCP()
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        do {
            try bind(fd, port: port)
            guard Glibc.listen(fd, backlog) == 0 else { throw HarnessError.posix("listen(127.0.0.1:\(port))") }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Connects to 127.0.0.1:`port` within `timeout` seconds; the returned
    /// socket is blocking.
    static func connect(port: UInt16, timeout: Double) throws -> Int32 {
        let fd = try makeTCP()
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var address = address(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            guard errno == EINPROGRESS else {
                let error = HarnessError.posix("connect(127.0.0.1:\(port))")
                Glibc.close(fd)
                throw error
            }
            let revents = poll(fd, events: Int16(POLLOUT), deadline: Deadline(seconds: timeout))
            if revents == 0 {
                Glibc.close(fd)
                throw HarnessError.timeout("connect(127.0.0.1:\(port)) within \(timeout) s")
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 {
                Glibc.close(fd)
                throw HarnessError.system("connect(127.0.0.1:\(port))", soError)
            }
        }
        _ = fcntl(fd, F_SETFL, flags)
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        return fd
    }

    /// poll(2) on one descriptor until an event or the deadline; retries on
    /// EINTR. Returns revents (0 on timeout).
    static func poll(_ fd: Int32, events: Int16, deadline: Deadline) -> Int16 {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let rc = Glibc.poll(&entry, 1, deadline.remainingMilliseconds())
            if rc > 0 { return entry.revents }
            if rc == 0 { return 0 }
            if errno != EINTR { return Int16(POLLERR) }
            if deadline.hasExpired { return 0 }
        }
    }

    /// Sends all of `bytes`, waiting for buffer space until `deadline`.
    /// MSG_NOSIGNAL keeps a closed peer from killing the test with SIGPIPE.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, deadline: Deadline,
                        shouldStop: () -> Bool = { false }) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset,
                               Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            guard n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) else { throw HarnessError.posix("send") }
            if shouldStop() { throw HarnessError.failed("send interrupted: stopping") }
            let slice = Deadline(seconds: min(0.1, Double(deadline.remainingMilliseconds()) / 1000))
            if poll(fd, events: Int16(POLLOUT), deadline: slice) == 0 && deadline.hasExpired {
                throw HarnessError.timeout("send of \(bytes.count - offset) remaining bytes")
            }
        }
    }
}
