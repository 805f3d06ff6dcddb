import Glibc

/// Stands in for systemd's notification socket: a unix datagram socket in a
/// temporary directory. Pass `environment` to the daemon (NOTIFY_SOCKET=path)
/// and read what it sends (READY=1, STATUS=..., RELOADING=1, STOPPING=1).
final class NotifySocket {
    private let directory: TemporaryDirectory
    let path: String
    private let fd: Int32
    /// Every datagram received so far, in arrival order.
    private(set) var messages: [String] = []

    init() throws {
        directory = try TemporaryDirectory(prefix: "fnotify")
        path = directory.file("notify.sock")
        fd = try UnixSocketAddress.boundDatagram(path)
    }

    deinit { close(fd) }

    /// The variable to add to the daemon's environment.
    var environment: [String: String] { ["NOTIFY_SOCKET": path] }

    /// The next datagram, or nil if none arrives within `timeout` seconds.
    func receive(timeout: Double = 5) -> String? {
        let deadline = Deadline(seconds: timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: deadline) != 0 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n >= 0 {
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                messages.append(message)
                return message
            }
            if errno != EINTR && errno != EAGAIN { return nil }
        }
        return nil
    }

    /// Receives until a datagram has a line `assignment` (e.g. "READY=1"),
    /// returning that datagram, or nil on timeout. Earlier datagrams stay in
    /// `messages`.
    func waitFor(_ assignment: String, timeout: Double = 10) -> String? {
        if let seen = messages.first(where: { NotifySocket.lines($0).contains(assignment) }) { return seen }
        let deadline = Deadline(seconds: timeout)
        while !deadline.hasExpired {
            guard let message = receive(timeout: Double(deadline.remainingMilliseconds()) / 1000) else { return nil }
            if NotifySocket.lines(message).contains(assignment) { return message }
        }
        return nil
    }

    /// Value of the last `KEY=value` line for `key` across all messages so far.
    func lastValue(of key: String) -> String? {
        for message in messages.reversed() {
            for line in NotifySocket.lines(message).reversed() where line.hasPrefix(key + "=") {
                return String(line.dropFirst(key.count + 1))
            }
        }
        return nil
    }

    /// Sends one datagram to a notification socket, as sd_notify(3) does.
    static func send(_ message: String, to path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket(AF_UNIX, SOCK_DGRAM)") }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = try UnixSocketAddress.with(path) { address, length in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), address, length) }
        }
        guard sent == bytes.count else { throw HarnessError.posix("sendto(\(path))") }
    }

    private static func lines(_ message: String) -> [String] {
        message.split(separator: "\n").map(String.init)
    }
}
