import Glibc
import CFulcrum

/// Starts a child by posix_spawn (fork+exec in one call, no Swift code in the
/// child before exec), placing chosen descriptors at fixed numbers.
public enum ProcessSpawner {
    /// - inherited: descriptors to place at 3, 4, 5, ... in the child, in order.
    /// - newSession: setsid() in the child (daemonize).
    public static func spawn(path: String, arguments: [String], environment: [String],
                             inherited: [FileDescriptor], newSession: Bool = false,
                             stdio: FileDescriptor? = nil, argv0: String? = nil,
                             newProcessGroup: Bool = false) throws(Errno) -> pid_t {
        // Move sources above the target range first so dup2 into 3... can never
        // overwrite a descriptor a later action still needs.
        let firstTarget: Int32 = 3
        let targetEnd = firstTarget + Int32(inherited.count)
        var lifted: [FileDescriptor] = []
        defer { for f in lifted { f.close() } }
        for f in inherited { lifted.append(try f.duplicate(atLeast: targetEnd)) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdio {
            for t in Int32(0)...2 { posix_spawn_file_actions_adddup2(&actions, stdio.rawValue, t) }
        }
        for (i, f) in lifted.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, f.rawValue, firstTarget + Int32(i))
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var flags = CF_POSIX_SPAWN_SETSIGMASK | CF_POSIX_SPAWN_SETSIGDEF
        if newSession { flags |= CF_POSIX_SPAWN_SETSID }
        if newProcessGroup {
            // Its own group, so a timeout can kill everything it started.
            flags |= CF_POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attr, 0)
        }
        posix_spawnattr_setflags(&attr, flags)

        let argv = ([argv0 ?? path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        if r != 0 { throw Errno(r) }
        return pid
    }

    /// Path of the running binary, so children run exactly this build.
    public static var selfExecutable: String { "/proc/self/exe" }

    /// The binary's path as installed (for re-exec after an upgrade): where
    /// the running image was loaded from, even once that file was replaced
    /// (the kernel then reports it with a " (deleted)" suffix).
    public static func executablePath() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return "/proc/self/exe" }
        buf[n] = 0
        let path = String(cString: buf)
        return path.hasSuffix(" (deleted)") ? String(path.dropLast(10)) : path
    }

    /// execve(2): replaces the process image; returns only on failure. The
    /// signal mask and descriptors without close-on-exec survive.
    public static func exec(path: String, arguments: [String], environment: [String]) -> Errno {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        execve(path, argv, envp)
        return Errno.current
    }

    /// Runs a command to completion, killing it after `timeoutMilliseconds`:
    /// a check the caller must wait for, bounded. Its stdout and stderr come
    /// back as `output` (stdin reads nothing).
    public static func runToCompletion(path: String, arguments: [String], environment: [String],
                                       timeoutMilliseconds: Int64) throws(Errno) -> (status: ExitStatus, output: String) {
        let capture = try SealedBlob.make(name: "fulcrum-output", bytes: [])
        defer { capture.close() }
        let pid = try spawn(path: path, arguments: arguments, environment: environment, inherited: [], stdio: capture)
        let deadline = MonotonicClock.nowMilliseconds() + timeoutMilliseconds
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw Errno.current }
            if MonotonicClock.nowMilliseconds() >= deadline {
                _ = kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(5000)
        }
        let output = (try? SealedBlob.read(capture)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (ExitStatus(raw: status), output)
    }

    /// The current environment as KEY=VALUE strings.
    public static func currentEnvironment() -> [String] {
        var out: [String] = []
        var p = Glibc.environ
        while let e = p.pointee { out.append(String(cString: e)); p += 1 }
        return out
    }

    /// The environment by name, as the configuration parser expands it.
    /// Makes `env` the whole process environment (`setenv` and its kin in
    /// global), so that every child forked afterwards inherits it.
    public static func replaceEnvironment(with env: [String: String]) {
        clearenv()
        for (name, value) in env { setenv(name, value, 1) }
    }

    public static func environmentDictionary() -> [String: String] {
        var env: [String: String] = [:]
        for kv in currentEnvironment() {
            if let eq = kv.firstIndex(of: "=") { env[String(kv[..<eq])] = String(kv[kv.index(after: eq)...]) }
        }
        return env
    }
}

/// Child exit status decoding and signalling.
public struct ExitStatus: Equatable, CustomStringConvertible, Sendable {
    public var raw: Int32
    public var exitCode: Int32? { cf_wifexited(raw) != 0 ? cf_wexitstatus(raw) : nil }
    public var signal: Int32? { cf_wifsignaled(raw) != 0 ? cf_wtermsig(raw) : nil }
    public var description: String {
        if let c = exitCode { return "exit code \(c)" }
        if let s = signal { return "signal \(s) (\(SignalChannel.name(s)))" }
        return "status \(raw)"
    }
}

public enum Processes {
    /// Reaps one exited child without blocking.
    public static func reap() -> (pid_t, ExitStatus)? {
        var status: Int32 = 0
        let pid = waitpid(-1, &status, WNOHANG)
        return pid > 0 ? (pid, ExitStatus(raw: status)) : nil
    }
    public static func signal(_ pid: pid_t, _ sig: Int32) { _ = kill(pid, sig) }
    public static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }
    /// Ask the kernel to SIGKILL us when our parent dies (no orphaned workers).
    public static func dieWithParent(signal: Int32 = SIGKILL) { _ = cf_set_pdeathsig(signal) }
    public static func setName(_ name: String) { _ = cf_set_name(name) }
}
