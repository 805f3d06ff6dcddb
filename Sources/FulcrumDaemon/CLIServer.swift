import Glibc
import FulcrumCore
import FulcrumPosix

/// Decides what a CLI command answers. The master implements it; an answer
/// that needs a worker (`@1 show stat`) comes later through `complete`.
protocol CLICommandRunner: AnyObject {
    /// `level`: the session's (0 user, 1 operator, 2 admin), which
    /// `operator`/`user` may have lowered below the endpoint's.
    /// `payload`: the lines a command line ending in `<<` carried, for its last command.
    func run(_ command: String, payload: String?, from server: CLIServer, ticket: CLIServer.Ticket, level: Int) -> String?
}

/// One unix-socket CLI endpoint: the master CLI (-S) or a `stats socket`.
/// As HAProxy's CLI: every line a connection sends holds commands separated
/// by ';', answered in order, each answer ending with an empty line. Without
/// `prompt` the connection closes once the lines it sent are answered (how
/// `socat` users drive it); with `prompt` it stays open, a "> " follows each
/// answer, and `quit` or the idle timeout ends it (how hatop drives it).
/// A client may stream lines faster than they are answered (a million `set
/// table` in prompt mode): at most `inputLimit` bytes are taken from its
/// socket at a time, the rest waits there, as HAProxy's buffer pushes back;
/// a single request longer than that closes the connection. Lines wait too
/// while the client does not read its answers (its socket is not writable),
/// so the master's blocking write of an answer never waits on a full socket.
final class CLIServer {
    static let inputLimit = 65536
    /// Answers gather up to this many bytes before they are written, so a
    /// pipelined bulk load costs one write (and one wake-up of its reader)
    /// per batch rather than per line; the rest goes when the lines run out.
    static let outputBatch = 16384

    struct Ticket: Hashable { var client: Int; var index: Int }

    let listener: FileDescriptor
    let path: String
    /// The master CLI routes `@N`; a stats socket does not.
    let isMasterCLI: Bool
    /// 0 user, 1 operator, 2 admin.
    let level: Int
    /// `expose-fd listeners`: the listening sockets `_getsocks` hands out
    /// (to `fulcrum -x` or `haproxy -x`); nil: `_getsocks` is refused.
    var exposedListeners: (() -> [FileDescriptor])?
    /// The socket file as bound (see `close`).
    private let fileIdentity: [UInt64]?
    private var clients: [Int: Client] = [:]
    private var nextID = 0

    /// A class: its input is consumed line by line in place, where a struct
    /// read out of `clients` copied the whole pipelined input per line.
    private final class Client {
        var fd: FileDescriptor
        var input: ArraySlice<UInt8> = []
        /// Answered, not yet written (see `outputBatch`).
        var output: [UInt8] = []
        /// Answers of the line being served; nil while one is awaited.
        var answers: [String?] = []
        /// A line is being answered.
        var busy = false
        /// The peer closed its side: answer what was sent, then close.
        var closed = false
        var session: RuntimeSession
        var lastActivity: Int64
        /// At least one line was answered (a connection that sent nothing
        /// yet is not closed for being idle until its timeout).
        var answeredAny = false
        /// "+ " prompts written for the payload being collected (prompt mode).
        var payloadPrompts = 0
        /// Not watched for reading: `inputLimit` bytes wait while a line is
        /// answered by a worker.
        var paused = false
        /// Watched for writing only: the client has not read its answers.
        var waitingForRoom = false

        init(fd: FileDescriptor, answers: [String?] = [], busy: Bool = false, closed: Bool = false,
             session: RuntimeSession, lastActivity: Int64) {
            self.fd = fd; self.answers = answers; self.busy = busy; self.closed = closed
            self.session = session; self.lastActivity = lastActivity
        }
    }
    /// The loop and the clients' event tokens (from `acceptClients`), to
    /// pause and resume watching a client.
    private var loop: EventLoop?
    private var clientToken: ((Int) -> EventToken)?

    /// `stats timeout` (HAProxy's default 10 s): a connection idle that long
    /// (no command line being answered) is closed; `set timeout cli` changes
    /// it for one session.
    var idleTimeout: Int64 = 10_000

    /// Closes connections idle past their timeout; returns the earliest
    /// deadline still pending.
    @discardableResult
    func expireIdle(now: Int64) -> Int64? {
        var next: Int64? = nil
        for (id, c) in clients where !c.busy {
            let deadline = c.lastActivity + (c.session.timeoutMs ?? idleTimeout)
            if deadline <= now { c.fd.close(); clients[id] = nil } else { next = min(next ?? deadline, deadline) }
        }
        return next
    }

    /// - listener: made by `CLIListener`.
    /// - path: the socket file, or the address as written (`ipv4@…`, `fd@N`).
    init(listening listener: FileDescriptor, path: String, isMasterCLI: Bool, level: Int) {
        self.path = path
        self.isMasterCLI = isMasterCLI
        self.level = level
        self.listener = listener
        fileIdentity = Self.isSocketFile(path) ? UnixSocket.fileIdentity(path) : nil
    }

    /// Whether `path` names a socket file (not `ipv4@…`, `ipv6@…`, `fd@N`).
    private static func isSocketFile(_ path: String) -> Bool {
        !(path.hasPrefix("ipv4@") || path.hasPrefix("ipv6@") || path.hasPrefix("fd@"))
    }

    /// After a binary upgrade: the socket the previous image listened on.
    init(restoring fd: FileDescriptor, path: String, isMasterCLI: Bool, level: Int) {
        self.path = path
        self.isMasterCLI = isMasterCLI
        self.level = level
        listener = fd
        fileIdentity = Self.isSocketFile(path) ? UnixSocket.fileIdentity(path) : nil
        try? fd.setCloseOnExec(true)
    }

    private var endpointLevel: RuntimeLevel { RuntimeLevel(rawValue: level) ?? .user }

    /// A connection still waiting for answers, for the handover.
    func waitingClient(_ id: Int) -> (fd: FileDescriptor, answers: [String?])? {
        guard let c = clients[id], c.busy else { return nil }
        return (c.fd, c.answers)
    }

    /// Takes over a connection the previous image had read a command line
    /// from; returns its id for tickets. It closes once answered.
    func adopt(fd: FileDescriptor, answers: [String?]) -> Int {
        try? fd.setCloseOnExec(true)
        let id = takeID()
        clients[id] = Client(fd: fd, answers: answers, busy: true, closed: true, session: RuntimeSession(level: endpointLevel),
                             lastActivity: MonotonicClock.nowMilliseconds())
        return id
    }

    func close() {
        // A successor (`-sf`) may have bound the same path already: remove
        // the file only while it is still this socket.
        if let mine = fileIdentity, UnixSocket.fileIdentity(path) == mine { unlink(path) }
        listener.close()
        for (_, c) in clients { c.fd.close() }
        clients.removeAll()
    }

    /// Accepts pending connections; `token(id)` is the event token for one.
    func acceptClients(loop: EventLoop, token: @escaping (Int) -> EventToken) {
        self.loop = loop
        clientToken = token
        while let fd = UnixSocket.accept(listener) {
            let id = takeID()
            clients[id] = Client(fd: fd, session: RuntimeSession(level: endpointLevel), lastActivity: loop.now)
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

    /// The connection is readable: take what it sent, answer its next line.
    func serve(client id: Int, runner: CLICommandRunner) {
        guard let c = clients[id] else { return }
        if c.waitingForRoom, let loop, let clientToken {
            try? loop.modify(c.fd, .readable, clientToken(id))
            c.waitingForRoom = false
        }
        var buf = [UInt8](repeating: 0, count: 4096)
        while c.input.count < CLIServer.inputLimit {
            let room = min(buf.count, CLIServer.inputLimit - c.input.count)
            let n = buf.withUnsafeMutableBytes { Glibc.read(c.fd.rawValue, $0.baseAddress!, room) }
            if n > 0 { c.input.append(contentsOf: buf[0..<n]); continue }
            if n == 0 || (errno != EAGAIN && errno != EINTR) { c.closed = true }
            break
        }
        c.lastActivity = MonotonicClock.nowMilliseconds()
        if c.busy && c.input.count >= CLIServer.inputLimit, let loop, let clientToken {
            // Full while a worker answers: stop watching until the answer is out.
            try? loop.modify(c.fd, [], clientToken(id))
            c.paused = true
        }
        if !c.busy { nextLine(id, runner: runner) }
    }

    /// Answers the next complete line (a final unterminated one once the peer
    /// closed), or closes the connection when nothing is left for it.
    private func nextLine(_ id: Int, runner: CLICommandRunner) {
        // A loop, not recursion: a client may have a thousand short lines waiting.
        while answerLine(id, runner: runner) {}
        if let c = clients[id], !send(c) { finish(id) }
    }

    /// Answers one line; true when it was answered at once and the next
    /// may follow (false: nothing complete, waiting for a worker, or closed).
    private func answerLine(_ id: Int, runner: CLICommandRunner) -> Bool {
        guard let c = clients[id], !c.busy else { return false }
        if !c.closed && !CLIServer.hasRoom(c.fd), let loop, let clientToken {
            // The client has not read what it was sent: its next line waits.
            try? loop.modify(c.fd, .writable, clientToken(id))
            clients[id]?.waitingForRoom = true
            return false
        }
        guard let request = RuntimePayload.next(&c.input, closed: c.closed) else {
            // Nothing more to answer: without prompt (or once the peer is
            // gone) the connection ends; with prompt it waits for a line.
            // A request that does not fit in the input limit ends it too.
            if c.closed || !c.session.prompt && c.input.isEmpty && c.answeredAny || c.input.count >= CLIServer.inputLimit {
                finish(id)
                return false
            }
            // In prompt mode each payload line read so far gets its "+ ".
            let lines = c.session.prompt ? RuntimePayload.collectedLines(c.input) : 0
            if lines > c.payloadPrompts {
                _ = queue(String(repeating: "+ ", count: lines - c.payloadPrompts), for: c)
                clients[id]?.payloadPrompts = lines
            }
            return false
        }
        if c.session.prompt && request.payloadLines > c.payloadPrompts {
            _ = queue(String(repeating: "+ ", count: request.payloadLines - c.payloadPrompts), for: c)
        }
        c.payloadPrompts = 0
        let commands = CLIServer.commands(request.line)
        if commands == [SocketTransfer.command] {
            // As HAProxy: the sockets, or nothing, then the connection ends.
            send(c)
            if let exposed = exposedListeners { SocketTransfer.send(exposed(), on: c.fd) }
            finish(id)
            return false
        }
        c.busy = true
        c.answeredAny = true
        c.answers = Array(repeating: nil, count: commands.count)
        for (i, command) in commands.enumerated() {
            guard let current = clients[id], !current.session.quit else {
                clients[id]?.answers[i] = ""
                continue
            }
            var session = current.session
            if let reply = RuntimeCLI.sessionReply(to: RuntimeCommandLine.words(command), level: session.level,
                                                   master: isMasterCLI) {
                session.apply(reply)
                clients[id]?.session = session
                clients[id]?.answers[i] = session.sessionAnswer + session.promptSuffix
                continue
            }
            let payload = i == commands.count - 1 ? request.payload : nil
            if let answer = runner.run(command, payload: payload, from: self, ticket: Ticket(client: id, index: i),
                                       level: session.level.rawValue) {
                clients[id]?.answers[i] = answer + session.promptSuffix
            }
        }
        return flushIfDone(id)
    }

    /// An answer that arrived later (from a worker, or a timeout message).
    func complete(_ ticket: Ticket, _ text: String, runner: CLICommandRunner? = nil) {
        guard let c = clients[ticket.client], ticket.index < c.answers.count else { return }
        clients[ticket.client]?.answers[ticket.index] = text + c.session.promptSuffix
        guard flushIfDone(ticket.client) else { return }
        if let runner { nextLine(ticket.client, runner: runner) } else { finish(ticket.client) }
    }

    /// Writes the line's answers once all are in; true when the connection
    /// goes on to its next line.
    private func flushIfDone(_ id: Int) -> Bool {
        guard let c = clients[id], c.busy, c.answers.allSatisfy({ $0 != nil }) else { return false }
        let written = queue(c.answers.map { $0! }.joined(), for: c)
        clients[id]?.busy = false
        if c.paused, let loop, let clientToken {
            try? loop.modify(c.fd, .readable, clientToken(id))
            clients[id]?.paused = false
        }
        clients[id]?.answers = []
        clients[id]?.lastActivity = MonotonicClock.nowMilliseconds()
        guard written, !c.session.quit else { finish(id); return false }
        return true
    }

    /// The socket takes more bytes without blocking (poll, no wait).
    private static func hasRoom(_ fd: FileDescriptor) -> Bool {
        var p = pollfd(fd: fd.rawValue, events: Int16(POLLOUT), revents: 0)
        return poll(&p, 1, 0) == 1 && p.revents & Int16(POLLOUT) != 0
    }

    /// Adds `text` to the client's pending answers, written once they
    /// reach `outputBatch`; false when that write failed.
    private func queue(_ text: String, for c: Client) -> Bool {
        c.output.append(contentsOf: text.utf8)
        return c.output.count < CLIServer.outputBatch || send(c)
    }

    /// Writes the client's pending answers; false when that failed.
    @discardableResult
    private func send(_ c: Client) -> Bool {
        guard !c.output.isEmpty else { return true }
        defer { c.output.removeAll(keepingCapacity: true) }
        return CLIServer.write(c.output, to: c.fd)
    }

    /// Answers are small enough to write blocking; reading stays non-blocking.
    /// The socket is switched to blocking only when it is full, which a line
    /// is never answered into (`hasRoom`).
    private static func write(_ bytes: [UInt8], to fd: FileDescriptor) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd.rawValue, $0.baseAddress! + done, bytes.count - done) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            guard n < 0 && errno == EAGAIN else { return false }
            break
        }
        guard done < bytes.count else { return true }
        let flags = fcntl(fd.rawValue, F_GETFL)
        _ = fcntl(fd.rawValue, F_SETFL, flags & ~O_NONBLOCK)
        defer { _ = fcntl(fd.rawValue, F_SETFL, flags) }
        return (try? fd.writeAll(Array(bytes[done...]))) != nil
    }

    /// The commands of a line: split at each ';', blanks trimmed, empty
    /// ones dropped (over the bytes: every line of a bulk load comes here).
    static func commands(_ line: String) -> [String] {
        func blank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") }
        return line.utf8.split(separator: UInt8(ascii: ";")).compactMap { part in
            guard let first = part.firstIndex(where: { !blank($0) }), let last = part.lastIndex(where: { !blank($0) }) else { return nil }
            return String(Substring(part[first...last]))
        }
    }

    private func finish(_ id: Int) {
        if let c = clients[id] { send(c) }
        clients[id]?.fd.close()
        clients[id] = nil
    }
}
