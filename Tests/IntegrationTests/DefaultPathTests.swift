import XCTest

/// Global `default-path`: relative file names in the configuration are
/// read from the configuration's directory (`config`), its parent
/// (`parent`) or a given one (`origin`), not from where the process runs;
/// checked with `-c` and while serving, side by side with haproxy 2.6.
final class DefaultPathTests: XCTestCase {
    private let page = "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nfrom the errors directory\n"

    func testConfigAndParentPoliciesUnderCheck() throws {
        let haproxy = try requireTool("haproxy")
        let directory = try TemporaryDirectory(prefix: "dpath")
        addTeardownBlock { directory.remove() }
        XCTAssertEqual(mkdir(directory.file("conf"), 0o755), 0)
        XCTAssertEqual(mkdir(directory.file("errors"), 0o755), 0)
        XCTAssertEqual(mkdir(directory.file("conf/errors"), 0o755), 0)
        _ = try directory.write("errors/503.http", page)
        _ = try directory.write("conf/errors/503.http", page)
        let body = """
            defaults
                mode http
                timeout connect 1s
                timeout client 1s
                timeout server 1s
            frontend fe
                bind 127.0.0.1:\(try FreePort.next())
                errorfile 503 errors/503.http
                default_backend be
            backend be
                server s 127.0.0.1:1

            """
        for (policy, passes) in [("config", true), ("parent", true), ("current", false), ("origin /nonexistent-dir", false)] {
            let file = try directory.write("conf/\(policy.split(separator: " ")[0]).cfg", "global\n    default-path \(policy)\n" + body)
            let fulcrum = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", file])
            let reference = try CommandRunner.run(haproxy, ["-c", "-f", file])
            XCTAssertEqual(reference.succeeded, passes, "haproxy, \(policy): \(reference.output)")
            XCTAssertEqual(fulcrum.succeeded, passes, "fulcrum, \(policy): \(fulcrum.output)")
        }
        let bad = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", try directory.write("bad.cfg", "global\n    default-path somewhere\n" + body)])
        XCTAssertFalse(bad.succeeded)
        XCTAssertTrue(bad.output.contains("'default-path' expects 'current', 'config', 'parent' or 'origin'"), bad.output)
    }

    func testOriginServesTheErrorFileFromThere() throws {
        // Still in the global section the harness opens ({files} is only
        // filled in below it).
        let config = """
                default-path origin {files}
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{port}
                errorfile 503 503.http
                default_backend be
            backend be
                server s 127.0.0.1:1 disabled

            """
        let sbs = try SideBySide(self, config: config, backends: [], files: ["503.http": page])
        let seen = try sbs.exchange(httpGet("/"))
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(seen[proxy]?.response?.status, 503, "\(proxy)")
            XCTAssertEqual(seen[proxy]?.response?.bodyText, "from the errors directory\n", "\(proxy)")
        }
    }
}
