import Glibc
import XCTest

/// A server whose name moves to another address while wrk drives load
/// (keep-alive connections on both sides, a real dnsmasq): no request fails,
/// under fulcrum (two workers) as under haproxy 2.6 (two threads, the
/// reference, whose share of requests at the new address is printed: it
/// moves only as it opens new server connections). Fulcrum closes the kept
/// server connections to the old address, so once the new address is in the
/// table no request goes to the old one (haproxy keeps using those it has:
/// docs/differences.md).
final class ResolversLoadTests: XCTestCase {
    func testAddressChangeUnderWrkLoadLosesNoRequest() throws {
        try scenario(.fulcrum)
    }

    func testAddressChangeUnderWrkLoadHAProxy() throws {
        try scenario(.haproxy)
    }

    private func scenario(_ which: ProxyUnderTest) throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.61", "moving.test")])
        // One nginx answering on both addresses, each with its own access log.
        let nginx = try NginxServer(http: """
            server {
                listen 127.0.0.61:{port};
                access_log {root}/../old.log;
                keepalive_requests 1000000;
                location / { return 200 "old\\n"; }
            }
            server {
                listen 127.0.0.62:{port};
                access_log {root}/../new.log;
                keepalive_requests 1000000;
                location / { return 200 "new\\n"; }
            }
            """, workers: 1)
        addTeardownBlock { nginx.stop() }
        let port = try FreePort.next()
        let sockets = try TemporaryDirectory(prefix: "rsvload")
        addTeardownBlock { sockets.remove() }
        let stats = sockets.file("admin.sock")
        let config = """
            global
                \(which == .fulcrum ? "workers 2" : "nbthread 2")
                stats socket \(stats) level admin
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                timeout retry 200ms
                timeout resolve 100ms
                hold valid 100ms
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                server s moving.test:\(nginx.port) resolvers dns init-addr none resolve-prefer ipv4

            """
        let p = which == .fulcrum ? try startFulcrum(config: config)
            : try startFulcrum(config: config, arguments: ["-db", "-f", FulcrumProcess.configPlaceholder], executable: try requireTool("haproxy"))
        try p.waitUntilListening(port: port)
        try p.waitUntilMasterSocketListening(socketPath: stats)
        func address() -> String? {
            let text = (try? MasterCLI.send("show servers state be", socketPath: stats)) ?? ""
            return text.split(separator: "\n").first { !$0.hasPrefix("#") && $0.split(separator: " ").count > 4 }
                .map { String($0.split(separator: " ")[4]) }
        }
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { address() == "127.0.0.61" }, "resolved: \(address() ?? "-")")
        func lines(_ name: String) -> Int {
            (FileBytes.readText(nginx.directory.file(name)) ?? "").split(separator: "\n").count
        }
        // Bounded: 8 s of 20 connections; the record moves once wrk has sent requests to the old address.
        let wrk = try WrkRun(url: "http://127.0.0.1:\(port)/", connections: 20, duration: 8)
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) { lines("old.log") >= 200 }, "load reached the old address")
        try dns.setHosts([("127.0.0.62", "moving.test")])
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) { address() == "127.0.0.62" }, "moved: \(address() ?? "-")")
        // Requests sent once the table has the new address reach it (nginx logs
        // a request when it has answered: the old log may still grow by those in flight).
        // haproxy only moves as it opens new server connections: how far it got is printed.
        let reached = waitUntil(timeout: 5, interval: 0.05) { lines("new.log") >= 200 }
        let oldAfterMove = lines("old.log")
        if which == .fulcrum {
            XCTAssertTrue(reached, "load reached the new address")
            XCTAssertTrue(wrk.isRunning, "wrk still running after the move")
        }
        let result = try wrk.finish()
        XCTAssertGreaterThan(result.requests, 0, result.output)
        XCTAssertEqual(result.socketErrors + result.badStatuses, 0, "\(result)")
        print("\(which): old \(oldAfterMove) at the move, \(lines("old.log")) at the end; new \(lines("new.log")); \(result)")
        if which == .fulcrum {
            XCTAssertEqual(lines("old.log"), oldAfterMove, "no request reached the old address after the move")
            XCTAssertGreaterThan(lines("new.log"), 200)
        }
    }
}
