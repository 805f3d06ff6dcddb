import XCTest
import Glibc

/// System calls of running processes, read with strace: `body` (which makes
/// the processes do something) is repeated until a traced line satisfies
/// `until`, since strace attaches asynchronously and the first runs may go
/// unseen. Returns the traced lines, in order.
enum SyscallTrace {
    static func lines(of pids: [pid_t], calls: [String], until seen: (String) -> Bool,
                      timeout: Double = 15, body: () throws -> Void) throws -> [String] {
        try requireRoot("strace attaches to running processes")
        let strace = try requireTool("strace")
        let dir = try TemporaryDirectory(prefix: "syscalls")
        defer { dir.remove() }
        let trace = dir.file("trace")
        var arguments = ["-qq", "-f", "-e", "trace=" + calls.joined(separator: ","), "-o", trace]
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
        return traced()
    }
}
