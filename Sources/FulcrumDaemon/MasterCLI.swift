import Glibc
import FulcrumPosix

/// The master CLI on the -S unix socket: one command line per connection
/// (several separated by ';'), answered and closed, as `socat` users expect.
final class MasterCLI {
    let listener: FileDescriptor
    private let path: String
    private var clients: [Int: (fd: FileDescriptor, input: [UInt8])] = [:]
    private var nextID = 0

    init(path: String) throws(Errno) {
        self.path = path
        listener = try UnixSocket.listen(path: path, mode: 0o600)
    }

    func close() {
        listener.close()
        unlink(path)
        for (_, c) in clients { c.fd.close() }
        clients.removeAll()
    }

    func acceptClients(epoll: Epoll, token: UInt64) {
        while let fd = UnixSocket.accept(listener) {
            let id = nextID
            nextID += 1
            clients[id] = (fd, [])
            do { try epoll.add(fd, events: .readable, token: UInt64(id) << 2 | token) } catch { fd.close(); clients[id] = nil }
        }
    }

    func serve(client id: Int, master: Master) {
        guard var c = clients[id] else { return }
        var buf = [UInt8](repeating: 0, count: 4096)
        var closed = false
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(c.fd.rawValue, $0.baseAddress!, $0.count) }
            if n > 0 { c.input.append(contentsOf: buf[0..<n]); if c.input.count > 65536 { closed = true; break }; continue }
            if n == 0 || (errno != EAGAIN && errno != EINTR) { closed = true }
            break
        }
        clients[id] = c
        guard let nl = c.input.firstIndex(of: UInt8(ascii: "\n")) ?? (closed ? c.input.endIndex : nil) else { return }
        let line = String(decoding: c.input[..<nl], as: UTF8.self)
        var reply = ""
        for command in line.split(separator: ";") {
            reply += MasterCLI.execute(command.trimmingCharacters(), master: master)
        }
        // Small replies: write them out blocking, then close.
        var flags = fcntl(c.fd.rawValue, F_GETFL)
        flags &= ~O_NONBLOCK
        _ = fcntl(c.fd.rawValue, F_SETFL, flags)
        try? c.fd.writeAll(Array(reply.utf8))
        c.fd.close()
        clients[id] = nil
    }

    static let help = """
        The following commands are valid at this level:
          help           : this message
          show proc      : show processes status

        """

    static func execute(_ command: String, master: Master) -> String {
        let words = command.split(separator: " ").map(String.init)
        switch words {
        case []: return ""
        case ["help"]: return help
        case ["show", "proc"]: return master.showProc()
        default: return "Unknown command: '\(command)'. Fulcrum does not support it yet; type 'help'.\n"
        }
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
