import Glibc
import FulcrumPosix

/// `-D` / `daemon`: the command returns once the daemon serves, and the
/// daemon keeps nothing of the caller: a new session (no controlling
/// terminal) and, once its workers are ready, its standard streams on
/// /dev/null, so `fulcrum -D ... | cat`, ssh and Ansible's command module do
/// not wait for a stream the daemon would hold forever. Until then the
/// daemon's messages still reach the caller's terminal, so a failure to start
/// is explained where it was asked for.
enum Daemonizer {
    static let readyEnvironment = "FULCRUM_DAEMON_READY_FD"

    /// In the daemon's copy: the pipe to report readiness on (the variable
    /// is removed, so no child inherits it).
    static func readyDescriptor() -> Int32? {
        guard let fd = getenv(readyEnvironment).flatMap({ Int32(String(cString: $0)) }) else { return nil }
        unsetenv(readyEnvironment)
        return fd
    }

    /// Tells the waiting command the daemon serves, then detaches from its streams.
    static func reportReady(_ fd: Int32) {
        _ = write(fd, "ok", 2)
        close(fd)
        StandardStreams.detach()
    }

    /// The command's side: starts the daemon's copy in a new session and
    /// waits for its report; exit 0 once it serves, 1 if it failed.
    static func daemonize() -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { printError("[ALERT] pipe: \(Errno.current)"); return 1 }
        let readEnd = FileDescriptor(fds[0]), writeEnd = FileDescriptor(fds[1])
        try? readEnd.setCloseOnExec(true)
        try? writeEnd.setCloseOnExec(true)
        var env = ProcessSpawner.currentEnvironment().filter { !$0.hasPrefix(readyEnvironment + "=") }
        env.append("\(readyEnvironment)=3")
        let args = Array(CommandLine.arguments.dropFirst())
        do {
            _ = try ProcessSpawner.spawn(path: ProcessSpawner.executablePath(), arguments: args, environment: env,
                                         inherited: [writeEnd], newSession: true, stdio: nil)
        } catch {
            printError("[ALERT] cannot daemonize: \(error)")
            return 1
        }
        writeEnd.close()
        var buf = [UInt8](repeating: 0, count: 8)
        let n = buf.withUnsafeMutableBytes { read(readEnd.rawValue, $0.baseAddress!, $0.count) }
        readEnd.close()
        if n == 2 { return 0 }
        printError("[ALERT] the daemon failed to start; see the messages above.")
        return 1
    }
}

/// Standard input, output and error onto /dev/null (`-D`: the daemon and
/// its children let go of the caller's terminal or pipe).
enum StandardStreams {
    static func detach() {
        let null = open("/dev/null", O_RDWR)
        guard null >= 0 else { return }
        for target in Int32(0)...2 { dup2(null, target) }
        if null > 2 { close(null) }
    }
}
