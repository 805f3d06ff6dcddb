import XCTest
import Glibc

/// System calls of running processes, read with strace: `body` (which makes
/// the processes do something) is repeated until a traced line satisfies
/// `until`, since strace attaches asynchronously and the first runs may go
/// unseen. Returns the traced lines, in order.
enum SyscallTrace {
    static func lines(of pids: [pid_t], calls: [String], until seen: (String) -> Bool,
                      timeout: Double = 15, body: () throws -> Void) throws -> [String] {
        try session(of: pids, calls: calls, until: seen, timeout: timeout, attach: body, measured: { _ in }).lines
    }

    /// As `lines`, with a second phase: once strace is seen attached,
    /// `measured` runs (given the lines traced so far, to wait on), then
    /// strace is stopped so its output is complete. Returns every line and
    /// the index of the first one traced after attaching. `follow` traces
    /// the processes' threads and children too (`-f`).
    static func session(of pids: [pid_t], calls: [String], follow: Bool = true, until seen: (String) -> Bool, timeout: Double = 15,
                        attach body: () throws -> Void,
                        measured: (_ traced: () -> [String]) throws -> Void) throws -> (lines: [String], measuredFrom: Int) {
        try requireRoot("strace attaches to running processes")
        let strace = try requireTool("strace")
        let dir = try TemporaryDirectory(prefix: "syscalls")
        defer { dir.remove() }
        let trace = dir.file("trace")
        var arguments = ["-qq"] + (follow ? ["-f"] : []) + ["-e", "trace=" + calls.joined(separator: ","), "-o", trace]
        for pid in pids { arguments += ["-p", String(pid)] }
        let tracer = try ChildProcess(executable: strace, arguments: arguments, environment: [:],
                                      stdoutPath: dir.file("out"), stderrPath: dir.file("err"))
        defer { _ = tracer.terminateTree(grace: 2) }
        func traced() -> [String] {
            (FileBytes.readText(trace) ?? "").split(separator: "\n").map(String.init)
        }
        let deadline = Deadline(seconds: timeout)
        while !traced().contains(where: seen) && !deadline.hasExpired {
            try body()
            usleep(100_000)
        }
        XCTAssertTrue(traced().contains(where: seen), "strace saw the expected call: \(traced().suffix(20))")
        let from = traced().count
        try measured(traced)
        try tracer.signal(SIGINT)
        _ = tracer.wait(timeout: 5)
        return (traced(), from)
    }
}
