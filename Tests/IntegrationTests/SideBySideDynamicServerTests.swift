import XCTest

/// `set server addr|check-port|agent*|ssl|fqdn`, `add server` and `del
/// server` side by side with haproxy 2.6: the same commands on both stats
/// sockets get the same answers, byte for byte, and leave the same `show
/// servers state` (but the columns that move with time and checks).
final class SideBySideDynamicServerTests: XCTestCase {
    /// srv_op_state, srv_time_since_last_change and the check's status,
    /// result and health move with checks and the clock; the rest must match.
    static func comparable(_ state: String) -> [String] {
        state.split(separator: "\n").map { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 12, !line.hasPrefix("#") else { return String(line) }
            return fields.enumerated().filter { ![5, 9, 10, 11, 12].contains($0.offset) }.map(\.element).joined(separator: " ")
        }
    }

    func testRuntimeServerCommandsAnswerAsHAProxy() throws {
        let hold = try TestBackend(.hold)
        addTeardownBlock { hold.stop() }
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:\(hold.port) check inter 30s
                server s2 127.0.0.1:8082 weight 5
                server s3 127.0.0.1:8083 ssl verify none
            backend st
                balance static-rr
                server s1 127.0.0.1:8081

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                           substitutions: sockets.substitutions)
        let commands = [
            "set server be/s1 addr 127.0.0.2", "set server be/s1 addr 127.0.0.2 port 81",
            "set server be/s1 addr 127.0.0.2 port 81", "set server be/s1 addr ::1 port 82", "set server be/s1 addr bad",
            "set server be/s1 addr", "set server be/s1 addr 127.0.0.1 port abc", "set server be/s2 addr 127.0.0.3 port 70000",
            "set server be/s1 port 83", "set server be/s1", "set server be/s1 check-port 9000", "set server be/s1 check-port",
            "set server be/s1 check-port 70000", "set server be/s1 check-port abc", "set server be/s2 check-port 9000",
            "set server be/s1 agent up", "set server be/s1 agent-addr 127.0.0.1", "set server be/s1 agent-addr",
            "set server be/s1 agent-send foo", "set server be/s1 ssl on", "set server be/s1 fqdn foo.example",
            "set server be/s1 fqdn", "set server be/zz addr 1.1.1.1", "set server zz/s1 addr 1.1.1.1",
            "set server be/s1 agent-port 80", "set server be/s1 agent-port", "set server be/s1 check-addr 127.0.0.9",
            "set server be/s1 check-addr 127.0.0.8 port 9999", "set server be/s1 check-addr bad", "set server be/s1 check-addr",
            "set server be/s2 check-addr 127.0.0.9", "set server be/s1 check-addr 127.0.0.9 port abc",
            "set server be/s3 ssl off", "show servers state be", "set server be/s3 ssl on", "set server be/s3 ssl maybe",
            "set server be/s3 ssl", "set server be/s3 ssl off",
            "add server be/d1 127.0.0.1:8083", "add server be/d1 127.0.0.1:8083", "add server be/s1 127.0.0.1:8083",
            "add server st/d1 127.0.0.1:8083", "add server zz/d1 127.0.0.1:8083", "add server be/d2",
            "add server be/d2 127.0.0.1:8084 weight 3 maxconn 10 check inter 1s", "add server be/d3 127.0.0.1:8084 cookie x",
            "add server be/d4 127.0.0.1:8084 disabled", "add server be/d6 127.0.0.1:8084 enabled", "add server be",
            "add server be/ 1.2.3.4:80", "add server be/d7 127.0.0.1", "add server be/x 127.0.0.1:9999 id 30", "add server be/z 127.0.0.1:9999 weight 300",
            "add server be/z5 127.0.0.1:9999 frobnicate",
            "set server be/d2 ssl on", "show servers state be",
            "del server be/d2", "del server be/d6", "del server be/s2", "disable server be/s2", "del server be/s2",
            "del server be/s2", "del server zz/d1", "del server be", "enable server be/d1", "disable server be/d1",
            "del server be/d1", "add server be/s2 127.0.0.1:9999", "set server be/s2 weight 7",
            "set server be/d7 addr 127.0.0.9 port 99", "show servers state be",
        ]
        for command in commands {
            var answers: [ProxyUnderTest: String] = [:]
            for proxy in ProxyUnderTest.allCases {
                answers[proxy] = try MasterCLI.send(command, socketPath: sockets.paths[proxy]!)
            }
            if command.hasPrefix("show servers state") {
                XCTAssertEqual(Self.comparable(answers[.fulcrum]!), Self.comparable(answers[.haproxy]!), command)
            } else {
                XCTAssertEqual(answers[.fulcrum], answers[.haproxy], command)
            }
        }
    }

    /// Checks go where `set server addr` sends traffic, to the port `set
    /// server check-port` gives, and an added server's checks start with
    /// `enable health`: the same states in both proxies.
    func testChecksFollowRuntimeChanges() throws {
        let hold = try TestBackend(.hold)
        addTeardownBlock { hold.stop() }
        let closed = try FreePort.next()
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:\(hold.port) check inter 100 rise 1 fall 1

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                           substitutions: sockets.substitutions)
        func state(_ proxy: ProxyUnderTest, _ server: String) -> String? {
            ServersStateColumn.operational.value(socket: sockets.paths[proxy]!, backend: "be", server: server)
        }
        func send(_ command: String) throws {
            for proxy in ProxyUnderTest.allCases { _ = try MasterCLI.send(command, socketPath: sockets.paths[proxy]!) }
        }
        func expect(_ server: String, _ value: String, _ what: String) {
            for proxy in ProxyUnderTest.allCases {
                XCTAssertTrue(waitUntil(timeout: 5) { state(proxy, server) == value }, "\(proxy): \(what): \(state(proxy, server) ?? "-")")
            }
        }
        expect("s1", "2", "s1 starts UP")
        try send("set server be/s1 addr 127.0.0.1 port \(closed)")
        expect("s1", "0", "the check follows the new address")
        try send("set server be/s1 check-port \(hold.port)")
        expect("s1", "2", "the check goes to check-port")
        try send("add server be/d1 127.0.0.1:\(closed) check inter 100 rise 1 fall 1")
        try send("enable server be/d1")
        expect("d1", "2", "no check before enable health")
        try send("enable health be/d1")
        expect("d1", "0", "the added server's check runs")
        try send("set server be/d1 addr 127.0.0.1 port \(hold.port)")
        expect("d1", "2", "and follows its address")
    }

    /// `set server ssl off` on a server configured with `ssl` in front of a
    /// plain HTTP server: requests fail while it speaks TLS and pass once it
    /// does not, in both proxies.
    func testSetServerSSLSwitchesNewConnections() throws {
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                retries 0
                server s1 127.0.0.1:\(web.port) ssl verify none

            """
        let sbs = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        func statuses() throws -> [ProxyUnderTest: Int] {
            var out: [ProxyUnderTest: Int] = [:]
            for proxy in ProxyUnderTest.allCases {
                let client = try TCPClient.connect(port: sbs.ports[proxy]![0])
                defer { client.close() }
                try client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                out[proxy] = try client.readHTTPResponse(requestMethod: "GET")?.status ?? 0
                XCTAssertTrue(sbs.processes[proxy]!.isRunning, "\(proxy) exited: \(sbs.processes[proxy]!.stderrTail())")
            }
            return out
        }
        XCTAssertTrue(try statuses().values.allSatisfy { $0 != 200 }, "TLS to a plain server fails")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(try MasterCLI.send("set server be/s1 ssl off", socketPath: sockets.paths[proxy]!),
                           "server ssl setting updated.\n\n", "\(proxy)")
        }
        XCTAssertEqual(try statuses(), [.fulcrum: 200, .haproxy: 200])
        for proxy in ProxyUnderTest.allCases {
            _ = try MasterCLI.send("set server be/s1 ssl on", socketPath: sockets.paths[proxy]!)
        }
        XCTAssertTrue(try statuses().values.allSatisfy { $0 != 200 }, "TLS again")
    }

    /// A configuration that checks nothing: `add server ... check` gets the
    /// added server checked once `enable health` says so (Fulcrum starts a
    /// checker for it), as in haproxy.
    func testAddedServerIsCheckedWithoutConfiguredChecks() throws {
        let hold = try TestBackend(.hold)
        addTeardownBlock { hold.stop() }
        let closed = try FreePort.next()
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:\(hold.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        XCTAssertTrue(sbs.processes[.fulcrum]!.childPids(role: "checker").isEmpty, "no checker to begin with")
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            for command in ["add server be/d1 127.0.0.1:\(closed) check inter 100 rise 1 fall 1", "enable server be/d1",
                            "enable health be/d1"] {
                _ = try MasterCLI.send(command, socketPath: socket)
            }
            XCTAssertTrue(waitUntil(timeout: 5) { ServersStateColumn.operational.value(socket: socket, backend: "be", server: "d1") == "0" },
                          "\(proxy): the added server's check marks it DOWN")
        }
        XCTAssertEqual(sbs.processes[.fulcrum]!.childPids(role: "checker").count, 1)
    }
}
