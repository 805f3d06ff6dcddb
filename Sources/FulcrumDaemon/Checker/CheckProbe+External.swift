import Glibc
import CFulcrum
import FulcrumCore
import FulcrumPosix

/// The program an `option external-check` check runs: path, argv[1...] and
/// environment, as HAProxy 2.6 builds them (ExternalCheckCommand).
struct ExternalProgram {
    var command: String
    var arguments: [String]
    var environment: [String]
    /// `external-check path`: where a command without '/' is looked for
    /// (HAProxy execvp()s it with that PATH).
    var searchPath: String
}

/// An external check is a probe whose "socket" is the child's pidfd: it turns
/// readable when the program exits (exit 0: PROCOK, else PROCERR with the
/// status as code); at the deadline the program's process group is killed
/// (PROCTOUT), as HAProxy kills it.
extension CheckProbe {
    func run(_ program: ExternalProgram, loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        let path = Self.resolve(program.command, searchPath: program.searchPath)
        do {
            let pid = try ProcessSpawner.spawn(path: path, arguments: program.arguments, environment: program.environment,
                                               inherited: [], argv0: program.command, newProcessGroup: true)
            process = pid
            let pidfd = cf_pidfd_open(pid)
            guard pidfd >= 0 else {
                stopProcess()
                return CheckResult(status: .processError, code: 0, durationMs: duration(now))
            }
            let fd = FileDescriptor(pidfd)
            _ = fcntl(pidfd, F_SETFD, FD_CLOEXEC)
            enterProcessPhase(fd)
            try loop.register(fd, .readable, token)
            return nil
        } catch {
            Log.warning("external check '\(program.command)': \(error)")
            stopProcess()
            return CheckResult(status: .processError, code: 0, durationMs: duration(now))
        }
    }

    /// The pidfd turned readable: the program exited.
    func processEnded(now: Int64) -> CheckResult? {
        var status: Int32 = 0
        let r = waitpid(process, &status, WNOHANG)
        if r == 0 { return nil }
        process = 0
        if cf_wifexited(status) != 0 {
            let code = cf_wexitstatus(status)
            return CheckResult(status: code == 0 ? .processOK : .processError, code: Int(code), durationMs: duration(now))
        }
        return CheckResult(status: .processError, code: 0, durationMs: duration(now))
    }

    func processTimedOut(now: Int64) -> CheckResult {
        stopProcess()
        return CheckResult(status: .processTimeout, code: 0, durationMs: duration(now))
    }

    /// Kills what the program started and reaps it.
    func stopProcess() {
        guard process > 0 else { process = 0; return }
        _ = kill(-process, SIGKILL)
        _ = kill(process, SIGKILL)
        var status: Int32 = 0
        while waitpid(process, &status, 0) < 0 && errno == EINTR {}
        process = 0
    }

    /// execvp's lookup: a command with '/' as is, else the first executable
    /// entry of `searchPath` (HAProxy's PATH for the program).
    static func resolve(_ command: String, searchPath: String) -> String {
        if command.contains("/") { return command }
        for dir in searchPath.split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return command
    }
}
