import Glibc

/// A one-shot TCP client whose connection comes from a chosen source address.
/// Every 127.0.0.0/8 address is local on Linux, so binding to 127.0.1.N before
/// connecting gives the daemon as many distinct clients as `balance source`
/// needs, without any network setup.
enum SourceBoundClient {
    /// Linux's IP_BIND_ADDRESS_NO_PORT (not imported by Glibc): choose the
    /// source port at connect time, so hundreds of binds to different
    /// addresses do not each reserve a port of the ephemeral range.
    private static let bindAddressNoPort: Int32 = 24

    /// The address 127.`a`.`b`.`c` as a dotted string, for building sources.
    static func loopback(_ a: Int, _ b: Int, _ c: Int) -> String { "127.\(a).\(b).\(c)" }

    /// Connects from `source` (an IPv4 loopback address) to 127.0.0.1:`port`,
    /// reads the first line the server sends (an identify backend's name) and
    /// closes. Returns nil when the connection ends or `timeout` passes before
    /// a full line; throws when the connection cannot be made.
    static func firstLine(from source: String, port: UInt16, timeout: Double = 5) throws -> String? {
        let fd = try connect(from: source, port: port, timeout: timeout)
        defer { close(fd) }
        let deadline = Deadline(seconds: timeout)
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while line.count < 4096 {
            if LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: deadline) == 0 { return nil }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) { continue }
            if n <= 0 { return nil }
            line.append(contentsOf: chunk[0..<n])
            if let newline = line.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: line[0..<newline], as: UTF8.self)
            }
        }
        return nil
    }

    /// A connected, blocking socket from `source` to 127.0.0.1:`port`.
    static func connect(from source: String, port: UInt16, timeout: Double) throws -> Int32 {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else {
            throw HarnessError.failed("not an IPv4 address: \(source)")
        }
        let fd = try LoopbackSocket.makeTCP()
        LoopbackSocket.setOption(fd, Int32(IPPROTO_IP), bindAddressNoPort, 1)
        let rc = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let error = HarnessError.posix("bind(\(source))")
            close(fd)
            throw error
        }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var remote = LoopbackSocket.address(port: port)
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else {
                let error = HarnessError.posix("connect(\(source) -> 127.0.0.1:\(port))")
                close(fd)
                throw error
            }
            if LoopbackSocket.poll(fd, events: Int16(POLLOUT), deadline: Deadline(seconds: timeout)) == 0 {
                close(fd)
                throw HarnessError.timeout("connect(\(source) -> 127.0.0.1:\(port)) within \(timeout) s")
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 {
                close(fd)
                throw HarnessError.system("connect(\(source) -> 127.0.0.1:\(port))", soError)
            }
        }
        _ = fcntl(fd, F_SETFL, flags)
        return fd
    }
}
