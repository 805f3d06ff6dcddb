import Glibc
import FulcrumConfig
import FulcrumLog
import FulcrumPosix

/// `email-alert`: a server state change logged at the backend's
/// `email-alert level` or more urgent is mailed to each mailer of its
/// `mailers` section, by a short-lived `--role mailer` process per mailer
/// (HAProxy sends only the checks' transitions, not maintenance changes).
extension Checker {
    func emailAlert(backend: Int, line: String, level: LogLevel) {
        guard let alert = configuration.backends[backend].emailAlert, level.rawValue <= alert.level.rawValue,
              let section = configuration.mailers.first(where: { $0.name == alert.mailers }) else { return }
        let helo = alert.myHostname ?? Self.hostName()
        for mailer in section.mailers {
            let arguments = ["--role", "mailer", "--", "--server", mailer.host, "--port", String(mailer.port),
                             "--timeout", String(section.timeoutMail), "--helo", helo, "--from", alert.from,
                             "--to", alert.to, "--message", line]
            do {
                let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: arguments,
                                                   environment: ProcessSpawner.currentEnvironment(), inherited: [])
                mailerProcesses.append(pid)
            } catch {
                Log.alert("email-alert: cannot start the sender for mailer '\(mailer.name)': \(error)")
            }
        }
    }

    /// Collects the senders that finished (only theirs: external checks
    /// reap their own children).
    func reapMailers() {
        mailerProcesses.removeAll { pid in
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            return r == pid || (r < 0 && errno == ECHILD)
        }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(cString: buffer)
    }
}
