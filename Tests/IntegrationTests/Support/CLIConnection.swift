import Glibc

/// A connection to a CLI socket: one command and a half-close (`MasterCLI`,
/// as socat does), or interactive (HAProxy's `prompt` mode, as hatop holds
/// one): send a line, read until the prompt or the end.
final class CLIConnection {
    private let fd: Int32

    init(socketPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket(AF_UNIX, SOCK_STREAM)") }
        try UnixSocketAddress.with(socketPath) { address, length in
            guard connect(fd, address, length) == 0 else { throw HarnessError.posix("connect(\(socketPath))") }
        }
    }

    deinit { close(fd) }

    func send(_ text: String, timeout: Double = 5) throws {
        try Array(text.utf8).withUnsafeBytes { try LoopbackSocket.sendAll(fd, $0, deadline: Deadline(seconds: timeout)) }
    }

    /// Half-close: the CLI answers what it got, then closes.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the text read ends with `suffix` (nil: until the peer
    /// closes); returns it and whether the peer closed.
    func read(until suffix: String?, timeout: Double = 5) throws -> (text: String, closed: Bool) {
        let deadline = Deadline(seconds: timeout)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let suffix, String(decoding: bytes, as: UTF8.self).hasSuffix(suffix) { return (String(decoding: bytes, as: UTF8.self), false) }
            if LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: deadline) == 0 {
                throw HarnessError.timeout("CLI answer ending with \(suffix ?? "EOF") (got: \(String(decoding: bytes, as: UTF8.self)))")
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                bytes.append(contentsOf: buffer[0..<n])
                guard bytes.count < 64 << 20 else { throw HarnessError.failed("CLI answer over 64 MiB") }
                continue
            }
            if n == 0 { return (String(decoding: bytes, as: UTF8.self), true) }
            if errno != EINTR { throw HarnessError.posix("recv") }
        }
    }
}
