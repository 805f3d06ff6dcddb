import Glibc

/// What an external command did.
struct CommandResult {
    let exit: ExitStatus
    let stdout: String
    let stderr: String
    /// True when the command was killed for running past its timeout.
    let timedOut: Bool

    /// Exit code, or 128 + signal when killed.
    var status: Int32 { exit.shellStatus }
    /// stdout followed by stderr, for commands (like `fulcrum -c`) whose
    /// message may go to either.
    var output: String { stdout + stderr }
    var succeeded: Bool { exit == .exited(0) && !timedOut }
}

/// Runs external tools (curl, socat, wrk, haproxy, the daemon in -c mode)
/// with a hard time limit. Output goes to files, not pipes, so a chatty tool
/// can never block on a full pipe while the test waits for it.
enum CommandRunner {
    /// Runs `tool` (a name looked up in PATH, or a path) with `arguments`.
    /// `stdin` is fed from a file when given, else /dev/null. The tool and
    /// anything it started are killed after `timeout` seconds.
    static func run(_ tool: String, _ arguments: [String], stdin: String? = nil,
                    environment: [String: String] = [:], timeout: Double = 30) throws -> CommandResult {
        guard let executable = Tools.find(tool) else {
            throw HarnessError.failed("\(tool): not found in PATH (\(Tools.searchPath.joined(separator: ":")))")
        }
        let directory = try TemporaryDirectory(prefix: "fcmd")
        var stdinPath = "/dev/null"
        if let stdin {
            stdinPath = try directory.write("stdin", stdin)
        }
        let child = try ChildProcess(executable: executable, arguments: arguments,
                                     environment: Tools.currentEnvironment().merging(environment) { $1 },
                                     stdinPath: stdinPath,
                                     stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
        var exit = child.wait(timeout: timeout)
        let timedOut = exit == nil
        if timedOut {
            exit = child.terminateTree(grace: 0.5)
        }
        return CommandResult(exit: exit!,
                             stdout: FileBytes.readText(directory.file("stdout")) ?? "",
                             stderr: FileBytes.readText(directory.file("stderr")) ?? "",
                             timedOut: timedOut)
    }
}
