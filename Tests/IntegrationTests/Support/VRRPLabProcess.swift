import Glibc

/// A long-running program started inside one of a `VRRPLab`'s namespaces
/// (`ip netns exec NS program ...`, which execs the program in place, so the
/// pid is the program's own). Its stdout and stderr go to files in the lab's
/// directory so a test can read them while it runs.
final class VRRPLabProcess {
    /// Short label, used in file names and messages ("k1", "ping").
    let label: String
    let namespace: String
    let arguments: [String]
    let stdoutPath: String
    let stderrPath: String
    private let child: ChildProcess

    init(label: String, namespace: String, executable: String, arguments: [String], directory: String) throws {
        self.label = label
        self.namespace = namespace
        self.arguments = [executable] + arguments
        stdoutPath = "\(directory)/\(label).stdout"
        stderrPath = "\(directory)/\(label).stderr"
        let ip = try Tools.find("ip") ?? { throw HarnessError.failed("ip: not found") }()
        child = try ChildProcess(executable: ip, arguments: ["netns", "exec", namespace, executable] + arguments,
                                 environment: Tools.currentEnvironment(),
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    var pid: pid_t { child.pid }
    var isRunning: Bool { child.isRunning }
    var exitStatus: ExitStatus? { child.exitStatus }

    /// Everything written to stdout / stderr so far.
    var stdout: String { FileBytes.readText(stdoutPath) ?? "" }
    var stderr: String { FileBytes.readText(stderrPath) ?? "" }

    /// Sends `signal` to the program itself (not its group).
    func signal(_ signal: Int32) throws { try child.signal(signal) }

    /// Waits up to `timeout` seconds for the program to end by itself.
    func wait(timeout: Double) -> ExitStatus? { child.wait(timeout: timeout) }

    /// SIGTERM, then SIGKILL to the process group and every descendant after
    /// `grace` seconds. Idempotent.
    @discardableResult
    func stop(grace: Double = 3) -> ExitStatus { child.terminateTree(grace: grace) }
}
