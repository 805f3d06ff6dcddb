import XCTest
import Glibc

/// A daemon started the way init scripts and legacy reload wrappers start
/// one: `fulcrum -D -p PIDFILE ...` returns once it serves, and the daemon is
/// no child of the test. It is known by its pidfile and stopped by pid.
struct DetachedFulcrum {
    let directory: TemporaryDirectory
    var pidFile: String { directory.file("fulcrum.pid") }
    var configPath: String { directory.file("fulcrum.cfg") }

    init(config: String) throws {
        directory = try TemporaryDirectory(prefix: "fdetach")
        _ = try directory.write("fulcrum.cfg", config)
    }

    /// The master's pid as the pidfile says now.
    var pid: pid_t? {
        (FileBytes.readText(pidFile) ?? "").split(separator: "\n").first.flatMap { pid_t($0) }
    }

    /// Runs `fulcrum -D -p PIDFILE -f CONFIG EXTRA...` to its exit.
    func start(_ extra: [String] = [], timeout: Double = 20) throws -> CommandResult {
        try CommandRunner.run(FulcrumBinary.path(), ["-D", "-p", pidFile, "-f", configPath] + extra, timeout: timeout)
    }

    /// SIGTERM to `pid` and its descendants, then SIGKILL; true once all are gone.
    @discardableResult
    static func stop(_ pid: pid_t, timeout: Double = 5) -> Bool {
        let tree = [pid] + ProcessTree.descendants(of: pid)
        kill(pid, SIGTERM)
        if waitUntil(timeout: timeout, { !tree.contains(where: ProcessTree.isAlive) }) { return true }
        for p in tree { kill(p, SIGKILL) }
        return waitUntil(timeout: 2) { !tree.contains(where: ProcessTree.isAlive) }
    }
}

extension XCTestCase {
    /// A detached daemon whose current master (and its children) is stopped
    /// when the test ends.
    func detachedFulcrum(config: String) throws -> DetachedFulcrum {
        let d = try DetachedFulcrum(config: config)
        addTeardownBlock {
            if let pid = d.pid, ProcessTree.isAlive(pid) { DetachedFulcrum.stop(pid) }
            d.directory.remove()
        }
        return d
    }
}

/// One HTTP/1.0 request per connection, answered 200: what the reload tests
/// count as served.
let http200Exchange: ConnectionLoop.Exchange = { client in
    try client.send("GET / HTTP/1.0\r\n\r\n")
    let got = try client.receiveUntilEOF(timeout: 3)
    let text = String(decoding: got.bytes, as: UTF8.self)
    return text.hasPrefix("HTTP/1.0 200") || text.hasPrefix("HTTP/1.1 200") ? nil : "answered \(text.prefix(60).debugDescription)"
}
