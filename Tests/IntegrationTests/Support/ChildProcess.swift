import Glibc

/// A process started with posix_spawn (safe in a multithreaded test process,
/// unlike fork) in its own process group, so the whole group, including any
/// grandchildren it forks, can be signalled and nothing outlives the test.
final class ChildProcess {
    let pid: pid_t
    private var reaped: ExitStatus?

    /// Starts `executable` (an absolute path) with `arguments` (not including
    /// argv[0]). Standard streams go to the given files; every other descriptor
    /// of the test process is closed in the child so it cannot keep a test
    /// backend's socket alive. Signal dispositions and mask are reset.
    init(executable: String, arguments: [String], environment: [String: String],
         stdinPath: String = "/dev/null", stdoutPath: String, stderrPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        ChildProcess.addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD, SIGQUIT] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                posix_spawn(&child, executable, &actions, &attributes, argvBuffer.baseAddress!, envpBuffer.baseAddress!)
            }
        }
        guard rc == 0 else { throw HarnessError.system("posix_spawn(\(executable))", rc) }
        pid = child
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34's posix_spawn_file_actions_addclosefrom_np, looked up at run
    /// time because the Glibc module does not import it. Without it the child
    /// still inherits nothing the harness opened (all of it is CLOEXEC).
    private static let addCloseFromFunction: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) {
        _ = addCloseFromFunction?(actions, lowest)
    }

    /// The exit status if the process has ended (reaping it), else nil.
    var exitStatus: ExitStatus? {
        if let reaped { return reaped }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid {
            reaped = ExitStatus(waitStatus: status)
        }
        return reaped
    }

    var isRunning: Bool { exitStatus == nil }

    /// Waits up to `timeout` seconds for the process to end.
    func wait(timeout: Double) -> ExitStatus? {
        var status: ExitStatus?
        waitUntil(timeout: timeout, interval: 0.01) {
            status = exitStatus
            return status != nil
        }
        return status
    }

    /// Sends `signal` to the process itself.
    func signal(_ signal: Int32) throws {
        guard exitStatus == nil else {
            throw HarnessError.processExited("cannot send signal \(signal) to pid \(pid): it already \(reaped!)")
        }
        guard kill(pid, signal) == 0 else { throw HarnessError.posix("kill(\(pid), \(signal))") }
    }

    /// Ends the process and everything it started: `SIGTERM` first, then after
    /// `grace` seconds `SIGKILL` to the process group and to every descendant
    /// seen (a child that moved to its own group is still found through /proc).
    /// Returns how the process itself ended.
    @discardableResult
    func terminateTree(grace: Double = 5) -> ExitStatus {
        var seen = Set(ProcessTree.descendants(of: pid))
        if exitStatus == nil {
            kill(pid, SIGTERM)
            waitUntil(timeout: grace, interval: 0.01) {
                seen.formUnion(ProcessTree.descendants(of: pid))
                return exitStatus != nil
            }
        }
        kill(-pid, SIGKILL)
        for descendant in seen where ProcessTree.isAlive(descendant) {
            kill(descendant, SIGKILL)
        }
        let status = wait(timeout: 10) ?? {
            // Unreachable unless the kernel is wedged: SIGKILL cannot be caught.
            fatalError("pid \(pid) survived SIGKILL for 10 s")
        }()
        // Descendants were reparented away from us; give the kernel a moment to
        // remove them so the next test sees a clean process table.
        waitUntil(timeout: 2) { seen.allSatisfy { !ProcessTree.isAlive($0) } }
        return status
    }

    deinit {
        if exitStatus == nil { terminateTree(grace: 1) }
    }
}
