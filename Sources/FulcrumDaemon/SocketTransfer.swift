import Glibc
import CFulcrum
import FulcrumPosix

/// HAProxy's `_getsocks` (2.6), both sides, so listening sockets pass from a
/// running instance to its successor without closing a queue: `-x SOCKET`
/// asks a `stats socket ... expose-fd listeners`. On the wire: the client
/// sends "_getsocks\n"; the server answers the number of sockets (a native
/// int), then batches of at most 253 descriptors (SCM_RIGHTS), each batch's
/// bytes holding per socket its namespace and interface names (a length
/// byte, then the name) and 4 zero bytes; the client acknowledges each batch
/// with the native int count received so far, which the server waits for.
enum SocketTransfer {
    struct Failure: Error { var message: String }

    static let command = "_getsocks"
    private static let batch = 253

    /// Client side (`-x`): the listening sockets of the instance at `path`.
    static func fetch(from path: String) throws(Failure) -> [FileDescriptor] {
        let sock: FileDescriptor
        do { sock = try UnixSocket.connect(path: path) } catch {
            throw Failure(message: "cannot connect to the stats socket: \(error)")
        }
        defer { sock.close() }
        setTimeout(sock, seconds: 5)
        guard (try? sock.writeAll(Array((command + "\n").utf8))) != nil else {
            throw Failure(message: "cannot send \(command): \(Errno.current)")
        }
        var count: Int32 = 0
        let n = withUnsafeMutableBytes(of: &count) { recv(sock.rawValue, $0.baseAddress!, 4, Int32(MSG_WAITALL)) }
        guard n == 4 else {
            throw Failure(message: "no socket count received (is the socket declared with 'expose-fd listeners'?)")
        }
        guard count > 0 else { return [] }
        var fds: [FileDescriptor] = []
        var data = [UInt8](repeating: 0, count: batch * (1 + 4096 + 1 + 16 + 4))
        var received = [Int32](repeating: -1, count: batch)
        while fds.count < Int(count) {
            var got: Int32 = 0
            let r = data.withUnsafeMutableBytes { d in
                received.withUnsafeMutableBufferPointer { cf_recv_fds(sock.rawValue, d.baseAddress!, d.count, $0.baseAddress!, Int32(batch), &got) }
            }
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else {
                for fd in fds { fd.close() }
                throw Failure(message: "received \(fds.count) of \(count) sockets")
            }
            fds += received[0..<Int(got)].map { FileDescriptor($0) }
            var ack = Int32(fds.count)
            _ = withUnsafeBytes(of: &ack) { Glibc.send(sock.rawValue, $0.baseAddress!, 4, Int32(MSG_NOSIGNAL)) }
        }
        return fds
    }

    /// Server side: sends `fds` on a connection that asked `_getsocks`. The
    /// connection is written blocking, with each acknowledgement awaited at
    /// most 2 s (the master's loop waits that long at worst).
    static func send(_ fds: [FileDescriptor], on client: FileDescriptor) {
        let flags = fcntl(client.rawValue, F_GETFL)
        _ = fcntl(client.rawValue, F_SETFL, flags & ~O_NONBLOCK)
        setTimeout(client, seconds: 2)
        var count = Int32(fds.count)
        guard withUnsafeBytes(of: &count, { Glibc.send(client.rawValue, $0.baseAddress!, 4, Int32(MSG_NOSIGNAL)) }) == 4,
              !fds.isEmpty else { return }
        var start = 0
        while start < fds.count {
            let chunk = fds[start..<min(fds.count, start + batch)].map(\.rawValue)
            // Per socket: no namespace, no interface, 4 bytes once the options.
            let bytes = [UInt8](repeating: 0, count: chunk.count * (1 + 1 + 4))
            let sent = bytes.withUnsafeBytes { b in
                chunk.withUnsafeBufferPointer { cf_send_fds(client.rawValue, b.baseAddress!, b.count, $0.baseAddress!, Int32(chunk.count)) }
            }
            guard sent == bytes.count else { return }
            var ack: Int32 = 0
            guard withUnsafeMutableBytes(of: &ack, { recv(client.rawValue, $0.baseAddress!, 4, Int32(MSG_WAITALL)) }) == 4 else { return }
            start += chunk.count
        }
    }

    private static func setTimeout(_ fd: FileDescriptor, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
