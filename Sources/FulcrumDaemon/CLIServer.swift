import Glibc
import FulcrumPosix

/// Decides what a CLI command answers. The master implements it; an answer
/// that needs a worker (`@1 show stat`) comes later through `complete`.
protocol CLICommandRunner: AnyObject {
    func run(_ command: String, from server: CLIServer, ticket: CLIServer.Ticket) -> String?
}

/// One unix-socket CLI endpoint: the master CLI (-S) or a `stats socket`.
/// Each connection sends one line (several commands separated by ';'), gets
/// the answers in order, and is closed — how `socat` users drive HAProxy.
final class CLIServer {
    struct Ticket: Hashable { var client: Int; var index: Int }

    let listener: FileDescriptor
    let path: String
    /// The master CLI routes `@N`; a stats socket does not.
    let isMasterCLI: Bool
    /// 0 user, 1 operator, 2 admin.
    let level: Int
    private var clients: [Int: Client] = [:]
    private var nextID = 0

    private struct Client {
        var fd: FileDescriptor
        var input: [UInt8] = []
        var answers: [String?] = []
        var started = false
        var acceptedAt: Int64
    }

    /// `stats timeout` (HAProxy's default 10 s): a connection that has not
    /// sent its command line by then is closed.
    var idleTimeout: Int64 = 10_000

    /// Closes connections that sent no complete command within the timeout;
    /// returns the earliest deadline still pending.
    @discardableResult
    func expireIdle(now: Int64) -> Int64? {
        var next: Int64? = nil
        for (id, c) in clients where !c.started {
            let deadline = c.acceptedAt + idleTimeout
            if deadline <= now { c.fd.close(); clients[id] = nil } else { next = min(next ?? deadline, deadline) }
        }
        return next
    }

    /// - mode: permission bits for the socket file; nil leaves the umask's.
    init(path: String, mode: mode_t?, isMasterCLI: Bool, level: Int) throws(Errno) {
        self.path = path
        self.isMasterCLI = isMasterCLI
        self.level = level
        listener = try UnixSocket.listen(path: path, mode: mode)
    }

    /// After a binary upgrade: the socket the previous image listened on.
    init(restoring fd: FileDescriptor, path: String, isMasterCLI: Bool, level: Int) {
        self.path = path
        self.isMasterCLI = isMasterCLI
        self.level = level
        listener = fd
        try? fd.setCloseOnExec(true)
    }

    /// A connection still waiting for answers, for the handover.
    func waitingClient(_ id: Int) -> (fd: FileDescriptor, answers: [String?])? {
        guard let c = clients[id], c.started else { return nil }
        return (c.fd, c.answers)
    }

    /// Takes over a connection the previous image had read a command line
    /// from; returns its id for tickets.
    func adopt(fd: FileDescriptor, answers: [String?]) -> Int {
        try? fd.setCloseOnExec(true)
        let id = takeID()
        clients[id] = Client(fd: fd, answers: answers, started: true, acceptedAt: MonotonicClock.nowMilliseconds())
        return id
    }

    func close() {
        listener.close()
        unlink(path)
        for (_, c) in clients { c.fd.close() }
        clients.removeAll()
    }

    /// Accepts pending connections; `token(id)` is the event token for one.
    func acceptClients(loop: EventLoop, token: (Int) -> EventToken) {
        while let fd = UnixSocket.accept(listener) {
            let id = takeID()
            clients[id] = Client(fd: fd, acceptedAt: loop.now)
            do { try loop.register(fd, .readable, token(id)) } catch { fd.close(); clients[id] = nil }
        }
    }

    /// A connection id: never reused while 2^32 others come and go, so it
    /// serves as the generation in a connection's event token.
    private func takeID() -> Int {
        let id = nextID
        nextID = nextID == Int(UInt32.max) ? 0 : nextID + 1
        return id
    }

    func serve(client id: Int, runner: CLICommandRunner) {
        guard var c = clients[id], !c.started else { return }
        var buf = [UInt8](repeating: 0, count: 4096)
        var closed = false
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(c.fd.rawValue, $0.baseAddress!, $0.count) }
            if n > 0 { c.input.append(contentsOf: buf[0..<n]); if c.input.count > 65536 { closed = true; break }; continue }
            if n == 0 || (errno != EAGAIN && errno != EINTR) { closed = true }
            break
        }
        guard let nl = c.input.firstIndex(of: UInt8(ascii: "\n")) ?? (closed ? c.input.endIndex : nil) else {
            clients[id] = c
            return
        }
        let line = String(decoding: c.input[..<nl], as: UTF8.self)
        let commands = line.split(separator: ";").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        c.started = true
        c.answers = Array(repeating: nil, count: commands.count)
        clients[id] = c
        for (i, command) in commands.enumerated() {
            if let answer = runner.run(command, from: self, ticket: Ticket(client: id, index: i)) {
                clients[id]?.answers[i] = answer
            }
        }
        flushIfDone(id)
    }

    /// An answer that arrived later (from a worker, or a timeout message).
    func complete(_ ticket: Ticket, _ text: String) {
        guard clients[ticket.client] != nil else { return }
        clients[ticket.client]?.answers[ticket.index] = text
        flushIfDone(ticket.client)
    }

    private func flushIfDone(_ id: Int) {
        guard let c = clients[id], c.started, c.answers.allSatisfy({ $0 != nil }) else { return }
        // Answers are small enough to write blocking, then the connection closes.
        var flags = fcntl(c.fd.rawValue, F_GETFL)
        flags &= ~O_NONBLOCK
        _ = fcntl(c.fd.rawValue, F_SETFL, flags)
        try? c.fd.writeAll(Array(c.answers.map { $0! }.joined().utf8))
        c.fd.close()
        clients[id] = nil
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
