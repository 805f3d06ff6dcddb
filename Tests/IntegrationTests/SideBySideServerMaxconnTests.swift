import XCTest

/// `set maxconn server` side by side with haproxy 2.6 (two workers against
/// two threads): the same answers byte for byte, the same `slim` in `show
/// stat`, and a connection queued behind a full server admitted when the
/// limit is raised, in both proxies.
final class SideBySideServerMaxconnTests: XCTestCase {
    func testSetMaxconnServerAnswersAndAdmitsTheQueueAsHAProxy() throws {
        let hold = try TestBackend(.hold)
        addTeardownBlock { hold.stop() }
        let sockets = try SideBySideWorkerSockets(self)
        let substitutions = sockets.substitutions
        let s = try SideBySide(self, config: SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                timeout client 60s
                default_backend be
            backend be
                timeout server 60s
                timeout queue 30s
                server s1 127.0.0.1:\(hold.port) maxconn 1
                server s2 127.0.0.1:\(hold.port) maxconn 10 minconn 2
                server s3 127.0.0.1:\(hold.port) disabled

            """, backends: [], global: SideBySideWorkerSockets.global, substitutions: substitutions)

        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            func row(_ server: String) -> [String: String] {
                ReloadTestHelpers.statRows((try? MasterCLI.send("show stat", socketPath: socket)) ?? "")["be/\(server)"] ?? [:]
            }
            var out: [String] = []
            for command in ["set maxconn server be/s2 abc", "set maxconn server be/s2 12x", "set maxconn server be/s2",
                            "set maxconn server be", "set maxconn server be/none 3", "set maxconn server xx/s2 3",
                            "set maxconn server be/s2 -3", "set maxconn server be/s2 99999999999", "set maxconn server be/s2 +7",
                            "set maxconn server be/s3 4", "set maxconn server be/s2 0", "set maxconn server be/s2 20"] {
                let answer = try MasterCLI.send(command, socketPath: socket)
                out.append("\(command) -> \(answer.debugDescription) s2.slim=\(row("s2")["slim"] ?? "-") s3.slim=\(row("s3")["slim"] ?? "-")")
            }
            // Only s1 takes traffic from here on.
            for command in ["disable server be/s2", "disable server be/s3"] { _ = try MasterCLI.send(command, socketPath: socket) }

            // One connection on s1 (its maxconn 1), a second waits in the queue.
            let port = s.ports[proxy]![0]
            var clients: [TCPClient] = []
            defer { clients.forEach { $0.close() } }
            // A request for no server in particular waits in the backend's queue (its row's qcur).
            func state() -> String {
                let rows = ReloadTestHelpers.statRows((try? MasterCLI.send("show stat", socketPath: socket)) ?? "")
                return "scur=\(rows["be/s1"]?["scur"] ?? "-") qcur=\(rows["be/BACKEND"]?["qcur"] ?? "-") slim=\(rows["be/s1"]?["slim"] ?? "-")"
            }
            func expect(_ wanted: String, _ what: String) {
                let reached = waitUntil(timeout: 5) { state() == wanted }
                out.append("\(what): \(reached ? wanted : "not " + wanted + " but " + state())")
            }
            clients.append(try TCPClient.connect(port: port))
            expect("scur=1 qcur=0 slim=1", "one client")
            clients.append(try TCPClient.connect(port: port))
            expect("scur=1 qcur=1 slim=1", "second client queued")
            out.append("raise -> " + (try MasterCLI.send("set maxconn server be/s1 2", socketPath: socket)).debugDescription)
            expect("scur=2 qcur=0 slim=2", "raised to 2: the queued one is admitted")
            clients.append(try TCPClient.connect(port: port))
            expect("scur=2 qcur=1 slim=2", "third client queued")
            out.append("lower -> " + (try MasterCLI.send("set maxconn server be/s1 1", socketPath: socket)).debugDescription)
            clients.append(try TCPClient.connect(port: port))
            expect("scur=2 qcur=2 slim=1", "lowered under the current count: a new client waits too")
            transcripts[proxy] = out
            // `set maxconn server ... 0` is no limit, as `maxconn 0` in the
            // configuration: Fulcrum admits the queue; haproxy 2.6.12 leaves
            // it waiting (docs/differences.md), so only Fulcrum is checked.
            if proxy == .fulcrum {
                _ = try MasterCLI.send("set maxconn server be/s1 0", socketPath: socket)
                XCTAssertTrue(waitUntil(timeout: 5) { state() == "scur=4 qcur=0 slim=" }, "0: no limit: \(state())")
            }
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertEqual(transcripts[.fulcrum]?.last, "lowered under the current count: a new client waits too: scur=2 qcur=2 slim=1")
        XCTAssertTrue(transcripts[.fulcrum]?.contains("raised to 2: the queued one is admitted: scur=2 qcur=0 slim=2") ?? false)
    }
}
