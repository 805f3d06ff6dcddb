import Glibc

/// Talks to the master CLI (-S socket) the way `socat` one-liners do: one
/// command line in, then a half-close, and the full text answer out until
/// the master closes.
enum MasterCLI {
    static func send(_ command: String, socketPath: String, timeout: Double = 5) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket(AF_UNIX, SOCK_STREAM)") }
        defer { close(fd) }
        try UnixSocketAddress.with(socketPath) { address, length in
            guard connect(fd, address, length) == 0 else { throw HarnessError.posix("connect(\(socketPath))") }
        }
        let deadline = Deadline(seconds: timeout)
        let line = command.hasSuffix("\n") ? command : command + "\n"
        try Array(line.utf8).withUnsafeBytes { try LoopbackSocket.sendAll(fd, $0, deadline: deadline) }
        // socat half-closes when its stdin ends; HAProxy's master CLI waits for
        // that before closing, so do the same.
        shutdown(fd, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: deadline) == 0 {
                throw HarnessError.timeout("answer to \"\(command)\" on \(socketPath) within \(timeout) s "
                    + "(got so far: \(String(decoding: answer, as: UTF8.self)))")
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                answer.append(contentsOf: buffer[0..<n])
                guard answer.count < 64 << 20 else { throw HarnessError.failed("answer over 64 MiB") }
            } else if n == 0 {
                return String(decoding: answer, as: UTF8.self)
            } else if errno != EINTR {
                throw HarnessError.posix("recv(\(socketPath))")
            }
        }
    }
}
