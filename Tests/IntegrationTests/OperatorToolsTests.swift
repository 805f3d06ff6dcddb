import XCTest

/// The tools operators drive haproxy's stats socket with, from PyPI as they
/// install them, against Fulcrum and haproxy 2.6 with the same configuration:
/// haproxyadmin and haproxy-cli read and change the same things, and Ansible's
/// community.general.haproxy module drains and re-enables a server while
/// traffic runs.
final class OperatorToolsTests: XCTestCase {
    private static let config = SideBySide.httpDefaults + """
        frontend fe
            bind 127.0.0.1:{port}
            default_backend be
        backend be
            server s1 127.0.0.1:{web1}
            server s2 127.0.0.1:{web2}

        """

    private func start() throws -> (SideBySide, SideBySideStatsSockets, web1: RecordingHTTPBackend, web2: RecordingHTTPBackend) {
        let web1 = try startRecordingBackend("web1"), web2 = try startRecordingBackend("web2")
        let sockets = try SideBySideStatsSockets(self)
        let config = Self.config.replacingOccurrences(of: "{web1}", with: "\(web1.port)")
            .replacingOccurrences(of: "{web2}", with: "\(web2.port)")
        let sbs = try SideBySide(self, config: config, backends: [web1, web2], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        return (sbs, sockets, web1, web2)
    }

    func testHAProxyAdminAndHAProxyCLIReadAndChangeTheSameAsWithHAProxy() throws {
        let venv = try PythonVenv.with(["haproxyadmin==0.2.4", "haproxy-cli==0.7.2"])
        let (sbs, sockets, _, _) = try start()
        for _ in 0..<3 { _ = try sbs.exchange(httpGet("/")) }
        let scripts = try TemporaryDirectory(prefix: "optools")
        addTeardownBlock { scripts.remove() }
        // What haproxyadmin reads, then a weight and the drain/enable states it sets.
        let script = try scripts.write("admin.py", """
            import json, sys
            from haproxyadmin import haproxy
            from haproxyadmin.server import STATE_DRAIN, STATE_ENABLE
            h = haproxy.HAProxy(socket_file=sys.argv[1])
            out = {
                "frontends": [(f.name, f.status, f.requests) for f in h.frontends()],
                "backends": [(b.name, b.status, b.requests, [s.name for s in b.servers()]) for b in h.backends()],
                "servers": [(s.name, s.backendname, s.status, s.weight, s.requests) for s in h.servers()],
                "version 2.6": h.version.startswith("2.6."),
                "uptime": int(h.uptimesec) >= 0,
            }
            s1 = h.server("s1")[0]
            s1.setweight(30)
            out["weight after setweight"] = s1.weight
            s1.setstate(STATE_DRAIN)
            out["status after drain"] = s1.status
            s1.setstate(STATE_ENABLE)
            out["status after enable"] = s1.status
            print(json.dumps(out, sort_keys=True))
            """)
        var admin: [ProxyUnderTest: String] = [:]
        var cli: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            let run = try CommandRunner.run(venv + "/bin/python", [script, socket], timeout: 60)
            XCTAssertTrue(run.succeeded, "\(proxy): haproxyadmin: \(run.output)")
            admin[proxy] = run.stdout
            var outputs: [String] = []
            for command in [["-c", "frontends"], ["-c", "backends"], ["-c", "servers", "-b", "be"],
                            ["-c", "get-weight", "-b", "be", "-s", "s2"], ["-c", "set-weight", "-b", "be", "-s", "s2", "-w", "7"],
                            ["-c", "get-weight", "-b", "be", "-s", "s2"], ["-c", "disable", "-b", "be", "-s", "s2"],
                            ["-c", "servers", "-b", "be"], ["-c", "enable", "-b", "be", "-s", "s2"], ["-c", "servers", "-b", "be"]] {
                let r = try CommandRunner.run(venv + "/bin/haproxy-cli", ["-k", socket] + command, timeout: 30)
                XCTAssertTrue(r.succeeded, "\(proxy): haproxy-cli \(command): \(r.output)")
                outputs.append("\(command.joined(separator: " ")): \(r.stdout)")
            }
            let info = try CommandRunner.run(venv + "/bin/haproxy-cli", ["-k", socket, "-c", "info"], timeout: 30)
            XCTAssertTrue(info.stdout.contains("Name: HAProxy\n"), "\(proxy): haproxy-cli info: \(info.output)")
            cli[proxy] = outputs
        }
        XCTAssertEqual(admin[.fulcrum], admin[.haproxy], "what haproxyadmin reads and sets")
        let fulcrum = admin[.fulcrum] ?? ""
        for expected in ["[\"fe\", \"OPEN\", 3]", "[\"be\", \"UP\", 3, [\"s1\", \"s2\"]]", "\"weight after setweight\": \"30\"",
                         "\"status after drain\": \"DRAIN\"", "\"version 2.6\": true"] {
            XCTAssertTrue(fulcrum.contains(expected), "haproxyadmin on Fulcrum: no \(expected) in \(fulcrum)")
        }
        XCTAssertEqual(cli[.fulcrum] ?? [], cli[.haproxy] ?? [], "haproxy-cli's outputs")
        XCTAssertTrue((cli[.fulcrum] ?? []).contains { $0.hasPrefix("-c get-weight -b be -s s2: 7 (initial 1)") },
                      "\(cli[.fulcrum] ?? [])")
        XCTAssertTrue((cli[.fulcrum] ?? []).contains { $0.contains("Name: s2 Status: MAINT") }, "\(cli[.fulcrum] ?? [])")
    }

    func testAnsibleHAProxyModuleDrainsAndReenablesAServerUnderTraffic() throws {
        let venv = try PythonVenv.with(["ansible==12.3.0"])
        let (sbs, sockets, web1, web2) = try start()
        let home = try TemporaryDirectory(prefix: "ansible")
        addTeardownBlock { home.remove() }
        func haproxyModule(_ arguments: String, socket: String) throws -> String {
            let r = try CommandRunner.run(venv + "/bin/ansible",
                                          ["localhost", "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=\(venv)/bin/python",
                                           "-m", "community.general.haproxy", "-a", "\(arguments) backend=be socket=\(socket)"],
                                          environment: ["LC_ALL": "C.UTF-8", "ANSIBLE_HOME": home.path,
                                                        "ANSIBLE_LOCAL_TEMP": home.file("tmp")],
                                          timeout: 120)
            XCTAssertTrue(r.succeeded, "ansible \(arguments): \(r.output)")
            return r.stdout
        }
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            _ = web1.takeRequests(); _ = web2.takeRequests()
            let loop = ConnectionLoop(port: sbs.ports[proxy]![0], pause: 0.01, maxConnections: 20_000, maxSeconds: 240) { client in
                try client.send(httpGet("/"))
                let response = try client.readHTTPResponse()
                return response?.status == 200 ? nil : "answered \(response.map { "\($0.status)" } ?? "nothing")"
            }
            // Both servers take traffic before the change.
            XCTAssertTrue(waitUntil(timeout: 10) { !web1.requests.isEmpty && !web2.requests.isEmpty }, "\(proxy): traffic before")

            // Drain s1 and wait for its DRAIN status: new requests go to s2 only.
            XCTAssertTrue(try haproxyModule("state=drain host=s1 wait=true", socket: socket).contains("\"changed\": true"))
            _ = web1.takeRequests(); _ = web2.takeRequests()
            // One connection at a time: at most one exchange counted after
            // `during` reached a server before the take above.
            let during = loop.successCount
            XCTAssertTrue(waitUntil(timeout: 20) { loop.successCount >= during + 101 }, "\(proxy): traffic while drained")
            XCTAssertEqual(web1.takeRequests().count, 0, "\(proxy): a drained s1 took new requests")
            XCTAssertGreaterThanOrEqual(web2.takeRequests().count, 100, "\(proxy): s2 took the traffic")

            // Enabled again: s1 takes requests again.
            XCTAssertTrue(try haproxyModule("state=enabled host=s1", socket: socket).contains("\"changed\": true"))
            XCTAssertTrue(waitUntil(timeout: 10) { !web1.requests.isEmpty }, "\(proxy): traffic did not come back to s1")

            // Disabled after draining: MAINT once its sessions are gone.
            _ = try haproxyModule("state=disabled host=s1 drain=true wait=true", socket: socket)
            XCTAssertEqual(ServersStateColumn.admin.value(socket: socket, backend: "be", server: "s1"), "1", "\(proxy): s1's admin state")
            _ = web1.takeRequests()
            let maintained = loop.successCount
            XCTAssertTrue(waitUntil(timeout: 20) { loop.successCount >= maintained + 50 }, "\(proxy): traffic in maintenance")
            XCTAssertEqual(web1.takeRequests().count, 0, "\(proxy): s1 in maintenance took requests")
            _ = try haproxyModule("state=enabled host=s1", socket: socket)

            let result = loop.stop()
            XCTAssertEqual(result.failures, [], "\(proxy): requests lost while Ansible changed s1")
            XCTAssertGreaterThan(result.succeeded, 150)
        }
    }
}
