import Glibc

/// The daemon under test: a config written to a fresh temporary directory,
/// the binary started on it in its own process group, its output captured to
/// files. Releasing it (or `stop()`) ends it and every process it forked.
final class FulcrumProcess {
    /// Replaced in `arguments` by the config file's path.
    static let configPlaceholder = "{config}"
    /// Replaced (also inside a longer argument, e.g. "{dir}/master.sock") by
    /// the temporary directory's path.
    static let directoryPlaceholder = "{dir}"
    /// HAProxy's debug-mode start: foreground, debug log on stderr.
    static let defaultArguments = ["-d", "-f", configPlaceholder]

    let directory: TemporaryDirectory
    let configPath: String
    let executable: String
    /// The arguments as passed, placeholders resolved.
    let arguments: [String]
    let stdoutPath: String
    let stderrPath: String
    private let child: ChildProcess

    /// Writes `config` to `{dir}/fulcrum.cfg` and starts the binary with
    /// `arguments`. `environment` adds to (and overrides) the test process's
    /// own; NOTIFY_SOCKET is never inherited, only passed explicitly.
    /// `executable` overrides the binary (the default is `FulcrumBinary.path()`).
    init(config: String, arguments: [String] = FulcrumProcess.defaultArguments,
         environment: [String: String] = [:], executable: String? = nil) throws {
        directory = try TemporaryDirectory(prefix: "fulcrum")
        self.executable = try executable ?? FulcrumBinary.path()
        configPath = try directory.write("fulcrum.cfg", config)
        stdoutPath = directory.file("stdout.log")
        stderrPath = directory.file("stderr.log")
        let directoryPath = directory.path
        let configPath = configPath
        self.arguments = arguments.map {
            $0 == FulcrumProcess.configPlaceholder
                ? configPath
                : $0.replacingOccurrences(of: FulcrumProcess.directoryPlaceholder, with: directoryPath)
        }
        var fullEnvironment = Tools.currentEnvironment()
        fullEnvironment["NOTIFY_SOCKET"] = nil
        fullEnvironment.merge(environment) { $1 }
        child = try ChildProcess(executable: self.executable, arguments: self.arguments,
                                 environment: fullEnvironment,
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    deinit { stop(timeout: 2) }

    var pid: pid_t { child.pid }
    var isRunning: Bool { child.isRunning }
    /// How the master ended, once it has (reaping it); nil while it runs.
    var exitStatus: ExitStatus? { child.exitStatus }

    var stdoutText: String { FileBytes.readText(stdoutPath) ?? "" }
    var stderrText: String { FileBytes.readText(stderrPath) ?? "" }

    /// Path of `name` inside the temporary directory (pid file, sockets...).
    func path(_ name: String) -> String { directory.file(name) }

    /// Replaces the config file (for reload tests); the daemon only sees it
    /// after a reload signal.
    func writeConfig(_ text: String) throws {
        try directory.write("fulcrum.cfg", text)
    }

    /// Writes another file into the temporary directory (a second -f file, a
    /// file inside a config directory, a map file...). Returns its path.
    @discardableResult
    func writeFile(_ name: String, _ text: String) throws -> String {
        try directory.write(name, text)
    }

    // MARK: Waiting

    /// Waits until a socket owned by the master or one of its descendants is
    /// listening on 127.0.0.1:`port` (checked in /proc, without connecting).
    /// Throws, quoting stderr, if the daemon exits or the time runs out.
    func waitUntilListening(port: UInt16, timeout: Double = 10) throws {
        try waitUntilListening(port: port, sockets: 1, timeout: timeout)
    }

    /// Like `waitUntilListening(port:timeout:)`, but waits for at least
    /// `sockets` listening sockets on the port (one per worker with
    /// SO_REUSEPORT).
    func waitUntilListening(port: UInt16, sockets: Int, timeout: Double = 10) throws {
        var exited: ExitStatus?
        let ok = waitUntil(timeout: timeout, interval: 0.02) {
            if let status = exitStatus {
                exited = status
                return true
            }
            return listeningSocketCount(port: port) >= sockets
        }
        if let exited {
            throw HarnessError.processExited(
                "fulcrum \(exited) before listening on port \(port); stderr:\n\(stderrTail())")
        }
        if !ok {
            throw HarnessError.timeout(
                "fulcrum listening on port \(port) (\(sockets) socket(s)) within \(timeout) s; "
                + "have \(listeningSocketCount(port: port)); stderr:\n\(stderrTail())")
        }
    }

    /// Number of sockets listening on `port` held by the master or its
    /// descendants.
    func listeningSocketCount(port: UInt16) -> Int {
        let listening = ListeningSockets.inodes(port: port)
        guard !listening.isEmpty else { return 0 }
        var owned: Set<UInt64> = []
        for process in [pid] + ProcessTree.descendants(of: pid) {
            owned.formUnion(ProcessTree.socketInodes(of: process))
        }
        return listening.intersection(owned).count
    }

    /// Waits until the master listens on the unix socket `socketPath`
    /// (default `{dir}/master.sock`), checked in /proc/net/unix.
    func waitUntilMasterSocketListening(socketPath: String? = nil, timeout: Double = 10) throws {
        let socketPath = socketPath ?? path("master.sock")
        var exited: ExitStatus?
        let ok = waitUntil(timeout: timeout, interval: 0.02) {
            exited = exitStatus
            return exited != nil || !ListeningSockets.unixInodes(path: socketPath).isEmpty
        }
        if let exited {
            throw HarnessError.processExited("fulcrum \(exited) before listening on \(socketPath); stderr:\n\(stderrTail())")
        }
        if !ok {
            throw HarnessError.timeout("fulcrum listening on \(socketPath) within \(timeout) s; stderr:\n\(stderrTail())")
        }
    }

    /// Waits until stderr contains `text`; true if it did in time.
    @discardableResult
    func waitForStderr(containing text: String, timeout: Double = 10) -> Bool {
        waitUntil(timeout: timeout, interval: 0.02) { stderrText.contains(text) }
    }

    /// The last `lines` lines of stderr, for failure messages.
    func stderrTail(lines: Int = 40) -> String {
        stderrText.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    // MARK: Process tree

    /// Direct children of the master.
    func childPids() -> [pid_t] { ProcessTree.children(of: pid) }

    /// Children started with `--role ROLE` (e.g. "worker", "checker", "vrrp").
    func childPids(role: String) -> [pid_t] {
        childPids().filter { child in
            guard let argv = ProcessTree.commandLine(of: child),
                  let flag = argv.firstIndex(of: "--role"), flag + 1 < argv.count else { return false }
            return argv[flag + 1] == role
        }
    }

    /// Every process below the master.
    func descendantPids() -> [pid_t] { ProcessTree.descendants(of: pid) }

    /// Waits until the master has exactly `count` children of `role` (any
    /// role if nil) and returns them; throws with stderr on timeout or exit.
    @discardableResult
    func waitForChildren(count: Int, role: String? = "worker", timeout: Double = 10) throws -> [pid_t] {
        var current: [pid_t] = []
        let ok = waitUntil(timeout: timeout, interval: 0.02) {
            current = role.map { childPids(role: $0) } ?? childPids()
            return current.count == count || exitStatus != nil
        }
        if let exited = exitStatus {
            throw HarnessError.processExited("fulcrum \(exited) while waiting for \(count) children; stderr:\n\(stderrTail())")
        }
        guard ok else {
            throw HarnessError.timeout("\(count) \(role ?? "any-role") children of fulcrum within \(timeout) s; "
                + "have \(current); stderr:\n\(stderrTail())")
        }
        return current
    }

    // MARK: Signals and exit

    func signal(_ signal: Int32) throws { try child.signal(signal) }

    /// Waits for the master to exit; nil if it is still running after `timeout`.
    func waitForExit(timeout: Double = 10) -> ExitStatus? { child.wait(timeout: timeout) }

    /// SIGTERM, then after `timeout` seconds SIGKILL to the whole tree; reaps
    /// the master. Safe to call more than once.
    @discardableResult
    func stop(timeout: Double = 5) -> ExitStatus { child.terminateTree(grace: timeout) }

    /// Stops the daemon and deletes its temporary directory (config, logs).
    func stopAndRemoveFiles() {
        stop()
        directory.remove()
    }

    // MARK: Master CLI

    /// Sends one command line to the master CLI at `socketPath` (default
    /// `{dir}/master.sock`, i.e. start with `-S {dir}/master.sock`).
    func masterCommand(_ command: String, socketPath: String? = nil, timeout: Double = 5) throws -> String {
        try MasterCLI.send(command, socketPath: socketPath ?? path("master.sock"), timeout: timeout)
    }

    // MARK: Config check

    /// Runs `fulcrum -c -f FILE` (plus `extraArguments`, e.g. "-q") on `text`
    /// and returns its status and output.
    static func checkConfig(_ text: String, extraArguments: [String] = [], executable: String? = nil,
                            timeout: Double = 30) throws -> CommandResult {
        let directory = try TemporaryDirectory(prefix: "fcheck")
        let file = try directory.write("fulcrum.cfg", text)
        return try CommandRunner.run(executable ?? FulcrumBinary.path(), ["-c"] + extraArguments + ["-f", file],
                                     timeout: timeout)
    }
}
