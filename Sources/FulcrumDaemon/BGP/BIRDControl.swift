import Glibc
import FulcrumBGP
import FulcrumPosix

/// One command over BIRD's control socket (what `birdc CMD` does): connect,
/// read the greeting, send the command, read the reply, close. A connection
/// per command, so a restarted BIRD needs nothing special. The exchange is
/// bounded (`timeout` ms in all) because it runs on the keepalived child's
/// loop, whose VRRP adverts must not wait on a stalled BIRD: a local BIRD
/// answers `configure` and `show protocols` in well under a millisecond.
struct BIRDControl {
    let path: String
    var timeout: Int64 = 500

    enum Failure: Error, CustomStringConvertible {
        case unreachable(String)
        case refused(BIRDReply)
        var description: String {
            switch self {
            case .unreachable(let why): return why
            case .refused(let reply): return reply.lines.map(\.text).joined(separator: " / ")
            }
        }
    }

    func run(_ command: String) -> Result<BIRDReply, Failure> {
        guard let address = SocketAddress(unixPath: path) else { return .failure(.unreachable("\(path): name too long")) }
        let fd: FileDescriptor
        do { fd = try Socket.stream(family: AF_UNIX) } catch { return .failure(.unreachable("socket: \(error)")) }
        defer { fd.close() }
        let deadline = MonotonicClock.nowMilliseconds() + timeout
        do {
            if !(try Socket.connect(fd, to: address)) {
                guard wait(fd, Int16(POLLOUT), until: deadline), Socket.pendingError(fd) == 0 else {
                    return .failure(.unreachable("cannot connect to \(path): \(Errno(Socket.pendingError(fd)))"))
                }
            }
        } catch {
            return .failure(.unreachable("cannot connect to \(path): \(error)"))
        }
        var received = ""
        // The greeting ("0001 BIRD 2.0.12 ready."), then the command's reply.
        guard case .success(let hello) = read(fd, &received, until: deadline) else {
            return .failure(.unreachable("no greeting from \(path)"))
        }
        guard hello.code == 1 else { return .failure(.refused(hello)) }
        let bytes = Array((command + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd.rawValue, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            guard n < 0 && errno == EAGAIN, wait(fd, Int16(POLLOUT), until: deadline) else {
                return .failure(.unreachable("sending to \(path): \(Errno.current)"))
            }
        }
        let reply = read(fd, &received, until: deadline)
        if case .success(let r) = reply, r.isError { return .failure(.refused(r)) }
        return reply
    }

    private func read(_ fd: FileDescriptor, _ received: inout String, until deadline: Int64) -> Result<BIRDReply, Failure> {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let (reply, used) = BIRDReply.parse(Substring(received)) {
                received = String(received.utf8.dropFirst(used))!
                return .success(reply)
            }
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd.rawValue, $0.baseAddress!, $0.count, 0) }
            if n > 0 { received += String(decoding: buffer[0..<n], as: UTF8.self); continue }
            if n == 0 { return .failure(.unreachable("\(path) closed the connection")) }
            if errno == EINTR { continue }
            guard errno == EAGAIN, wait(fd, Int16(POLLIN), until: deadline) else {
                return .failure(.unreachable("no answer from \(path) within \(timeout) ms"))
            }
        }
    }

    private func wait(_ fd: FileDescriptor, _ events: Int16, until deadline: Int64) -> Bool {
        while true {
            let left = deadline - MonotonicClock.nowMilliseconds()
            guard left > 0 else { return false }
            var p = pollfd(fd: fd.rawValue, events: events, revents: 0)
            let r = poll(&p, 1, Int32(left))
            if r > 0 { return true }
            if r < 0 && errno == EINTR { continue }
            return false
        }
    }
}
