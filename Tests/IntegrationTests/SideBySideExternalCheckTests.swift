import XCTest

/// `option external-check` side by side with haproxy 2.6: each proxy runs
/// its own copy of the same script (so the records tell them apart), which
/// writes its arguments and environment and then exits as a flag file says.
/// Both proxies must pass the same arguments and HAPROXY_* variables, and
/// show the same states and statuses as the exit status changes (0: PROCOK,
/// non-zero: PROCERR with the status as code, too slow: PROCTOUT).
final class SideBySideExternalCheckTests: XCTestCase {
    private func script(_ dir: TemporaryDirectory, _ proxy: ProxyUnderTest) -> String {
        let d = dir.path
        return """
            #!/bin/sh
            { echo "ARGS $*"; /usr/bin/env | /usr/bin/sort; } > \(d)/\(proxy)-$HAPROXY_SERVER_NAME.tmp
            /bin/mv \(d)/\(proxy)-$HAPROXY_SERVER_NAME.tmp \(d)/\(proxy)-$HAPROXY_SERVER_NAME.env
            if [ -e \(d)/fail ]; then exit 3; fi
            if [ -e \(d)/hang ]; then exec /bin/sleep 30; fi
            exit 0

            """
    }

    func testArgumentsEnvironmentAndStatusesAsHAProxy() throws {
        let server = try startBackend(.echo)
        let dir = try TemporaryDirectory(prefix: "extchk")
        addTeardownBlock { dir.remove() }
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        for proxy in ProxyUnderTest.allCases {
            let path = try dir.write("check-\(proxy).sh", script(dir, proxy))
            XCTAssertEqual(chmod(path, 0o755), 0)
            substitutions[proxy]!["{check}"] = path
        }
        let config = """
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            listen l
                bind 127.0.0.1:{port}
                option external-check
                external-check path "/usr/bin:/bin"
                external-check command {check}
                server s1 127.0.0.1:\(server.port) check inter 200 maxconn 7 id 42
            backend b
                option external-check
                external-check command {check}
                server s2 127.0.0.1:\(server.port) check inter 300 rise 1 fall 1

            """
        let global = SideBySideStatsSockets.global + "    external-check\n    insecure-fork-wanted\n"
        let proxies = try SideBySide(self, config: config, backends: [], global: global, substitutions: substitutions)

        // What each proxy's program got, with what differs by nature (the
        // frontend's port, the shell's working directory) written alike.
        func record(_ proxy: ProxyUnderTest, _ server: String) -> String? {
            guard let text = FileBytes.readText(dir.file("\(proxy)-\(server).env")) else { return nil }
            let port = "\(proxies.ports[proxy]![0])"
            return text.split(separator: "\n").filter { !$0.hasPrefix("PWD=") }
                .map { $0.replacingOccurrences(of: " \(port) ", with: " {port} ").replacingOccurrences(of: "PORT=\(port)", with: "PORT={port}") }
                .joined(separator: "\n")
        }
        for name in ["s1", "s2"] {
            var seen: [ProxyUnderTest: String] = [:]
            XCTAssertTrue(waitUntil(timeout: 10) {
                for proxy in ProxyUnderTest.allCases { seen[proxy] = record(proxy, name) }
                return seen.count == 2
            }, "both proxies ran the program for \(name): \(seen)")
            XCTAssertEqual(seen[.fulcrum], seen[.haproxy], name)
            XCTAssertTrue(seen[.fulcrum]?.contains("HAPROXY_SERVER_NAME=\(name)") == true, seen[.fulcrum] ?? "")
        }
        XCTAssertTrue(record(.fulcrum, "s1")?.hasPrefix("ARGS 127.0.0.1 {port} 127.0.0.1 \(server.port)\n") == true)
        XCTAssertTrue(record(.fulcrum, "s2")?.hasPrefix("ARGS NOT_USED NOT_USED 127.0.0.1 \(server.port)\n") == true)

        func states(_ proxy: ProxyUnderTest) -> [String]? {
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv) else { return nil }
            return ["l/s1", "b/s2"].map { key in
                key + " " + ["status", "check_status", "check_code"].map { table.rows[key]?[$0] ?? "?" }.joined(separator: ",")
            }
        }
        func expect(_ wanted: [String], _ what: String) {
            var last: [ProxyUnderTest: [String]] = [:]
            let ok = waitUntil(timeout: 10, interval: 0.05) {
                for proxy in ProxyUnderTest.allCases { last[proxy] = states(proxy) }
                return last[.fulcrum] == wanted && last[.haproxy] == wanted
            }
            XCTAssertTrue(ok, "\(what): fulcrum \(last[.fulcrum] ?? []) haproxy \(last[.haproxy] ?? [])")
        }
        expect(["l/s1 UP,PROCOK,0", "b/s2 UP,PROCOK,0"], "exit 0")
        _ = try dir.write("fail", "")
        expect(["l/s1 DOWN,PROCERR,3", "b/s2 DOWN,PROCERR,3"], "exit 3")
        XCTAssertEqual(unlink(dir.file("fail")), 0)
        expect(["l/s1 UP,PROCOK,0", "b/s2 UP,PROCOK,0"], "exit 0 again")
        // Slower than `inter` (no `timeout check`): killed, PROCTOUT.
        _ = try dir.write("hang", "")
        expect(["l/s1 DOWN,PROCTOUT,0", "b/s2 DOWN,PROCTOUT,0"], "too slow")
        XCTAssertEqual(unlink(dir.file("hang")), 0)
        expect(["l/s1 UP,PROCOK,0", "b/s2 UP,PROCOK,0"], "back")
    }
}
