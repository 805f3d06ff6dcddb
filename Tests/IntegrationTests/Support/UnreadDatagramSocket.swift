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
        fd = try UnixSocketAddress.boundDatagram(path, receiveBuffer: 4096)
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
