import XCTest
import Foundation

/// Fault injection on Fulcrum's own processes (issue 17): the master killed
/// outright, a worker stopped and continued under load. (A worker killed
/// under load: DaemonLifecycleTests.testKilledWorkerIsRespawnedIntoItsSlotWhileTheOthersKeepServing.)
final class ProcessFaultTests: XCTestCase {
    private func config(port: UInt16, server: UInt16, multiQueue: Bool = true) -> String {
        """
        global
            workers 2\(multiQueue ? "" : "\n    tune.listener.multi-queue off")
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server s1 127.0.0.1:\(server)

        """
    }

    private func get(_ port: UInt16, _ path: String, timeout: Double = 5) -> Int? {
        guard let client = try? HTTPTestClient(port: port) else { return nil }
        defer { client.close() }
        return try? client.request("GET", path, headers: [("Connection", "close")], timeout: timeout).status
    }

    /// SIGKILL to the master leaves no worker serving (nothing answers, the
    /// port is free), and a new start comes up on the same port and serves.
    func testMasterKilledLeavesNoWorkerAndARestartServesOnTheSamePort() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try FreePort.next()
        let text = config(port: port, server: server.port)
        let first = try startFulcrum(config: text)
        try first.waitUntilListening(port: port, sockets: 2)
        let workers = try first.waitForChildren(count: 2)
        XCTAssertEqual(get(port, "/before"), 200)

        try first.signal(SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 10) { !workers.contains(where: ProcessTree.isAlive) },
                      "workers still running after the master was killed: \(workers.filter(ProcessTree.isAlive))")
        XCTAssertTrue(waitUntil(timeout: 5) { ListeningSockets.inodes(port: port).isEmpty }, "the port is still listening")
        XCTAssertThrowsError(try TCPClient(port: port, timeout: 1), "a connection was accepted with no master")

        let second = try startFulcrum(config: text)
        try second.waitUntilListening(port: port, sockets: 2)
        XCTAssertEqual(get(port, "/after"), 200)
        XCTAssertEqual(server.requests.map(\.path), ["/before", "/after"])
    }

    /// One of two workers stopped (SIGSTOP) while requests keep coming: with
    /// `tune.listener.multi-queue` (the default) the other worker also watches
    /// the stopped one's socket and takes what its owner leaves there, so
    /// every request is served while that one is still stopped, and the
    /// master leaves it alone.
    func testWorkerStoppedUnderLoadWithMultiQueueTheOtherServesEveryRequest() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: server.port))
        try p.waitUntilListening(port: port, sockets: 2)
        let workers = try p.waitForChildren(count: 2)
        XCTAssertEqual(get(port, "/warm"), 200)
        let stopped = workers[0]
        kill(stopped, SIGSTOP)
        defer { kill(stopped, SIGCONT) }
        XCTAssertTrue(waitUntil(timeout: 5) { ProcessTree.state(of: stopped) == "T" }, "the worker did not stop")

        let total = 60
        let results = Statuses()
        for i in 0..<total {
            Thread { results.append(self.get(port, "/r\(i)", timeout: 20)) }.start()
        }
        XCTAssertTrue(waitUntil(timeout: 20) { results.count == total }, "\(results.count) of \(total) served with one worker stopped")
        XCTAssertEqual(ProcessTree.state(of: stopped), "T", "the worker stayed stopped meanwhile")
        XCTAssertEqual(results.all.filter { $0 == 200 }.count, total, "\(results.all)")
        kill(stopped, SIGCONT)
        XCTAssertEqual(p.childPids(role: "worker").sorted(), workers.sorted(), "no worker was replaced")
        XCTAssertEqual(get(port, "/after"), 200)
    }

    /// With `tune.listener.multi-queue off` (each socket watched by its worker only), one
    /// of two workers stopped (SIGSTOP) while requests keep coming: the
    /// other one serves meanwhile, the master leaves the stopped one alone,
    /// and once continued (SIGCONT) the connections queued on its socket are
    /// served too: every request gets its 200, none is lost.
    func testWorkerStoppedAndContinuedUnderLoadLosesNoRequest() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: server.port, multiQueue: false))
        try p.waitUntilListening(port: port, sockets: 2)
        let workers = try p.waitForChildren(count: 2)
        let stopped = workers[0]
        kill(stopped, SIGSTOP)
        defer { kill(stopped, SIGCONT) }

        // 60 requests on new connections: the kernel spreads them over both
        // workers' sockets, so some wait for the stopped one.
        let total = 60
        let results = Statuses()
        // Threads, not dispatch: blocked requests must not starve each other.
        for i in 0..<total {
            Thread { results.append(self.get(port, "/r\(i)", timeout: 20)) }.start()
        }
        // The other worker keeps serving while this one is stopped.
        XCTAssertTrue(waitUntil(timeout: 10) { results.count >= total / 4 }, "nothing served with one worker stopped")
        XCTAssertLessThan(results.count, total, "no connection waited on the stopped worker's socket")
        XCTAssertEqual(ProcessTree.state(of: stopped), "T", "the worker is stopped")
        kill(stopped, SIGCONT)
        XCTAssertTrue(waitUntil(timeout: 30) { results.count == total }, "requests still pending after SIGCONT")
        let statuses = results.all
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, total, "\(statuses)")
        XCTAssertEqual(p.childPids(role: "worker").sorted(), workers.sorted(), "no worker was replaced")
        XCTAssertEqual(get(port, "/after"), 200)
    }
}

/// Statuses gathered from client threads.
private final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int?] = []
    func append(_ status: Int?) { lock.withLock { values.append(status) } }
    var count: Int { lock.withLock { values.count } }
    var all: [Int?] { lock.withLock { values } }
}
