import Glibc
import FulcrumPosix

/// `fulcrum --role smtp-alert -- ARGS` (see `SMTPAlertRequest`): sends one
/// VRRP state-change e-mail and exits, 0 once the server accepted the
/// message, 1 otherwise. A process of its own so the VRRP loop never waits on
/// a mail server; blocking, one step at a time, each wait bounded by
/// `--timeout` like keepalived's smtp_connect_timeout. Log lines follow
/// keepalived's wording so existing log watches keep matching.
enum SMTPAlertRole {
    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "smtp-alert"
        let request: SMTPAlertRequest
        do { request = try SMTPAlertRequest.parse(o.smtpAlertArguments) } catch {
            Log.alert("smtp-alert: \(error.description)")
            return 1
        }
        guard let address = SocketAddress.resolve(host: request.host, port: request.port) else {
            Log.alert("SMTP connection ERROR to \(request.host):\(request.port): cannot resolve '\(request.host)'.")
            return 1
        }
        let server = address.description
        let message = request.message(date: currentDate())
        let timeoutMilliseconds = Int32(clamping: request.timeoutSeconds * 1000)

        let connection: SMTPConnection
        switch SMTPConnection.open(to: address, timeoutMilliseconds: timeoutMilliseconds) {
        case .success(let c): connection = c
        case .failure(.timeout):
            Log.alert("Timeout connecting SMTP server \(server).")
            return 1
        case .failure(let e):
            Log.alert("SMTP connection ERROR to \(server) (\(e)).")
            return 1
        }
        defer { connection.close() }
        Log.debug("Remote SMTP server \(server) connected.")

        var sent = false
        steps: for step in message.dialogue(helo: request.helo) {
            if let command = step.command, case .failure(let e) = connection.send(command) {
                if step.name == "QUIT" && sent { break steps }
                Log.alert(e == .timeout ? "Timeout sending data to remote SMTP server \(server)."
                                        : "Can not send data to remote SMTP server \(server) (\(e)).")
                return 1
            }
            let reply: SMTPReply
            switch connection.readReply() {
            case .success(let r): reply = r
            case .failure(let e):
                // The message is delivered once DOT was accepted: a QUIT left
                // unanswered changes nothing.
                if step.name == "QUIT" && sent { break steps }
                switch e {
                case .timeout: Log.alert("Timeout reading data to remote SMTP server \(server).")
                case .closed: Log.alert("Remote SMTP server \(server) has closed the connection.")
                case .malformed(let line): Log.alert("Can not read data from remote SMTP server \(server): bad reply '\(line)'.")
                case .system(let errno): Log.alert("Error reading data from remote SMTP server \(server) (\(errno)).")
                }
                return 1
            }
            if step.name == "QUIT" { break steps }
            guard reply.code == step.expected else {
                Log.alert("Error processing \(step.name) cmd on SMTP server \(server). SMTP status code = \(reply.code)"
                          + (reply.lines.last.map { " (\($0))" } ?? ""))
                _ = connection.send("QUIT\r\n")
                return 1
            }
            if step.name == "DOT" {
                sent = true
                Log.notice("SMTP alert successfully sent: '\(message.subject)' to \(message.to.joined(separator: ", ")) via \(server).")
            }
        }
        return sent ? 0 : 1
    }

    /// The `Date:` header in local time, as keepalived's strftime
    /// `%a, %d %b %Y %H:%M:%S %z` (C locale: English names).
    static func currentDate() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 80)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S %z", &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One TCP connection to the mail server, each operation bounded by the
/// same timeout (poll on a non-blocking socket).
final class SMTPConnection {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case timeout, closed
        case malformed(String)
        case system(Errno)
        var description: String {
            switch self {
            case .timeout: return "timeout"
            case .closed: return "connection closed"
            case .malformed(let line): return "bad reply '\(line)'"
            case .system(let e): return e.description
            }
        }
    }

    let fd: FileDescriptor
    let timeoutMilliseconds: Int32
    /// Bytes received and not yet consumed as a reply (a server may send
    /// several replies at once, or a reply in pieces).
    private var pending: [UInt8] = []

    private init(fd: FileDescriptor, timeoutMilliseconds: Int32) {
        self.fd = fd
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    static func open(to address: SocketAddress, timeoutMilliseconds: Int32) -> Result<SMTPConnection, Failure> {
        let fd: FileDescriptor
        do { fd = try Socket.stream(family: address.family) } catch { return .failure(.system(error)) }
        let connection = SMTPConnection(fd: fd, timeoutMilliseconds: timeoutMilliseconds)
        do {
            if try !Socket.connect(fd, to: address) {
                if let failure = connection.wait(for: Int16(POLLOUT)) { fd.close(); return .failure(failure) }
                let error = Socket.pendingError(fd)
                if error != 0 { fd.close(); return .failure(.system(Errno(error))) }
            }
        } catch {
            fd.close()
            return .failure(.system(error))
        }
        return .success(connection)
    }

    func close() { fd.close() }

    func send(_ text: String) -> Result<Void, Failure> {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { p in
                Result { () throws(Errno) -> Int in try Socket.send(fd, p.baseAddress! + offset, count: p.count - offset) }
            }
            switch sent {
            case .success(let n): offset += n
            case .failure(.again): if let failure = wait(for: Int16(POLLOUT)) { return .failure(failure) }
            case .failure(let error): return .failure(.system(error))
            }
        }
        return .success(())
    }

    func readReply() -> Result<SMTPReply, Failure> {
        var chunk = [UInt8](repeating: 0, count: 2048)
        while true {
            switch SMTPReply.parse(pending) {
            case .reply(let reply, let consumed):
                pending.removeFirst(consumed)
                return .success(reply)
            case .malformed(let line):
                return .failure(.malformed(line))
            case .incomplete:
                break
            }
            if let failure = wait(for: Int16(POLLIN)) { return .failure(failure) }
            let received = chunk.withUnsafeMutableBytes { p in
                Result { () throws(Errno) -> Int in try fd.read(into: p.baseAddress!, count: p.count) }
            }
            switch received {
            case .success(0): return .failure(.closed)
            case .success(let n): pending += chunk[0..<n]
            case .failure(.again): continue
            case .failure(let error): return .failure(.system(error))
            }
        }
    }

    /// Waits until the socket is ready for `events`, or the timeout passes.
    private func wait(for events: Int16) -> Failure? {
        var entry = pollfd(fd: fd.rawValue, events: events, revents: 0)
        while true {
            let r = poll(&entry, 1, timeoutMilliseconds)
            if r > 0 { return nil }   // errors and hang-ups show on the next call
            if r == 0 { return .timeout }
            if errno != EINTR { return .system(Errno.current) }
        }
    }
}
