import Glibc

/// A unix datagram socket bound at a path in a temporary directory that
/// nobody ever reads: a syslog that has stopped reading. Once its queue is
/// full (net.unix.max_dgram_qlen datagrams, or its small receive buffer),
/// every send to it fails with EAGAIN.
final class UnreadDatagramSocket {
    let path: String
    private let fd: Int32
    private let directory: TemporaryDirectory
    private var closed = false

    init() throws {
        directory = try TemporaryDirectory(prefix: "fdead")
        path = directory.file("full.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket(AF_UNIX, SOCK_DGRAM)") }
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let path = path
        do {
            try UnixSocketAddress.with(path) { address, length in
                guard bind(fd, address, length) == 0 else { throw HarnessError.posix("bind(\(path))") }
            }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { stop() }

    /// Whether something waits unread in its queue.
    var hasPending: Bool {
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pollFD, 1, 0) > 0
    }

    func stop() {
        guard !closed else { return }
        closed = true
        close(fd)
        directory.remove()
    }
}
