import Glibc
import FulcrumCore
import FulcrumPosix

/// `fulcrum --role mailer -- --server HOST --port N --timeout MS --helo NAME
/// --from ADDR --to ADDR --message TEXT`: one `email-alert` mail to one
/// mailer, started by the checker on a server state change so that its loop
/// never waits on a mail server. Blocking, each step bounded by `timeout
/// mail`; exits 0 once the server accepted the message.
enum MailerRole {
    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "mailer"
        var values: [String: String] = [:]
        var i = 0
        let words = o.smtpAlertArguments
        while i + 1 < words.count { values[words[i]] = words[i + 1]; i += 2 }
        guard let host = values["--server"], let port = values["--port"].flatMap({ Int($0) }),
              let timeout = values["--timeout"].flatMap({ Int32($0) }), let helo = values["--helo"],
              let from = values["--from"], let to = values["--to"], let message = values["--message"] else {
            Log.alert("mailer: incomplete arguments")
            return 1
        }
        guard let address = SocketAddress.resolve(host: host, port: port) else {
            Log.alert("email-alert: cannot resolve mailer '\(host)'")
            return 1
        }
        let mail = EmailAlertMail(helo: helo, from: from, to: to, logLine: message)
        let connection: SMTPConnection
        switch SMTPConnection.open(to: address, timeoutMilliseconds: timeout) {
        case .success(let c): connection = c
        case .failure(let e):
            Log.alert("email-alert: cannot connect to mailer \(address): \(e)")
            return 1
        }
        defer { connection.close() }
        for step in mail.dialogue(date: currentDate()) {
            if let command = step.command, case .failure(let e) = connection.send(command) {
                Log.alert("email-alert: mailer \(address): \(step.name): \(e)")
                return 1
            }
            switch connection.readReply() {
            case .success(let reply) where reply.code == step.expected:
                continue
            case .success(let reply):
                Log.alert("email-alert: mailer \(address) answered \(reply.code) to \(step.name)")
                return 1
            case .failure(let e):
                // The message is delivered once the final dot was accepted.
                if step.name == "QUIT" { return 0 }
                Log.alert("email-alert: mailer \(address): \(step.name): \(e)")
                return 1
            }
        }
        return 0
    }

    /// HAProxy's Date header: local time, "%a, %d %b %Y %T %z (%Z)".
    static func currentDate() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 96)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %T %z (%Z)", &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
