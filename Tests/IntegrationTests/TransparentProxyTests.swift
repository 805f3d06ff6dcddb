import XCTest
import Glibc

/// `source 0.0.0.0 usesrc clientip`, `source ADDR` on a server line,
/// `bind ... transparent` and `option transparent` (the client asks the
/// server's own address; the proxy intercepts and connects there), served
/// by fulcrum and by haproxy 2.6 in a network
/// namespace lab the test builds (root): client 10.77.1.2 ─ proxy (10.77.1.1,
/// 10.77.2.1, 10.77.2.3) ─ server 10.77.2.2, which answers with the address
/// it sees. The proxy namespace delivers every packet from either side
/// locally (`ip rule iif ... lookup 100`, `local 0.0.0.0/0` in table 100), so
/// replies to a spoofed client address reach the transparent socket and a
/// foreign address can be listened on.
final class TransparentProxyTests: XCTestCase {
    private var namespaces: [String] = []

    private func ip(_ arguments: [String]) throws {
        let r = try CommandRunner.run("ip", arguments, timeout: 10)
        guard r.exit == .exited(0) else { throw HarnessError.failed("ip \(arguments.joined(separator: " ")): \(r.stderr)") }
    }

    private func inNamespace(_ ns: String, _ tool: String, _ arguments: [String], timeout: Double = 10) throws -> CommandResult {
        let path = try XCTUnwrap(Tools.find(tool))
        return try CommandRunner.run("ip", ["netns", "exec", ns, path] + arguments, timeout: timeout)
    }

    /// The three namespaces, their veths, addresses and the proxy's local-delivery rule.
    private func buildLab() throws -> (client: String, proxy: String, server: String) {
        let tag = "\(getpid() % 100_000)"
        let (c, p, s) = ("tpc\(tag)", "tpp\(tag)", "tps\(tag)")
        namespaces = [c, p, s]
        addTeardownBlock { for ns in [c, p, s] { _ = try? CommandRunner.run("ip", ["netns", "del", ns], timeout: 10) } }
        for ns in [c, p, s] { try ip(["netns", "add", ns]) }
        try ip(["-n", p, "link", "add", "p0", "type", "veth", "peer", "name", "c0", "netns", c])
        try ip(["-n", p, "link", "add", "p1", "type", "veth", "peer", "name", "s0", "netns", s])
        try ip(["-n", c, "addr", "add", "10.77.1.2/24", "dev", "c0"])
        try ip(["-n", p, "addr", "add", "10.77.1.1/24", "dev", "p0"])
        try ip(["-n", p, "addr", "add", "10.77.2.1/24", "dev", "p1"])
        try ip(["-n", p, "addr", "add", "10.77.2.3/24", "dev", "p1"])
        try ip(["-n", s, "addr", "add", "10.77.2.2/24", "dev", "s0"])
        for (ns, links) in [(c, ["lo", "c0"]), (p, ["lo", "p0", "p1"]), (s, ["lo", "s0"])] {
            for l in links { try ip(["-n", ns, "link", "set", l, "up"]) }
        }
        try ip(["-n", c, "route", "add", "default", "via", "10.77.1.1"])
        try ip(["-n", s, "route", "add", "default", "via", "10.77.2.1"])
        try ip(["-n", p, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"])
        try ip(["-n", p, "rule", "add", "iif", "p0", "lookup", "100"])
        try ip(["-n", p, "rule", "add", "iif", "p1", "lookup", "100"])
        return (c, p, s)
    }

    func testServerSeesTheClientsAddress() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root for network namespaces") }
        let haproxy = try requireTool("haproxy")
        let python = try requireTool("python3")
        _ = try requireTool("curl")
        let (client, proxy, server) = try buildLab()

        let script = """
            import http.server, threading
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    via = self.headers.get("X-Via")
                    b = (self.client_address[0] + (" via " + via if via else "")).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
                def log_message(self, *a): pass
            for port in (8081, 8082):
                threading.Thread(target=http.server.ThreadingHTTPServer(("10.77.2.2", port), H).serve_forever).start()
            http.server.ThreadingHTTPServer(("10.77.2.2", 8080), H).serve_forever()
            """
        let app = try ChildProcess(executable: try XCTUnwrap(Tools.find("ip")), arguments: ["netns", "exec", server, python, "-c", script],
                                   environment: Tools.currentEnvironment(), stdoutPath: "/dev/null", stderrPath: "/dev/null")
        addTeardownBlock { _ = app.terminateTree(grace: 1) }
        // python3 takes seconds to start on a loaded machine.
        XCTAssertTrue(waitUntil(timeout: 40, interval: 0.2) {
            (try? self.inNamespace(proxy, "curl", ["-s", "-m", "2", "http://10.77.2.2:8080/"]).stdout) == "10.77.2.1"
        }, "the server answers with the address it sees")

        /// `original`: the port of the server the clients of `option
        /// transparent` ask for (each proxy intercepts its own).
        func config(_ base: Int, threads: String, name: String, original: Int) -> String {
            """
            global
                \(threads)
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe_clientip
                bind 10.77.1.1:\(base)
                default_backend be_clientip
            frontend fe_source
                bind 10.77.1.1:\(base + 1)
                default_backend be_source
            frontend fe_foreign
                bind 10.77.9.9:\(base + 2) transparent
                default_backend be_clientip
            frontend fe_intercept
                bind 0.0.0.0:\(original) transparent
                http-request set-header X-Via \(name)
                default_backend be_transparent
            backend be_clientip
                source 0.0.0.0 usesrc clientip
                server app 10.77.2.2:8080
            backend be_source
                server app 10.77.2.2:8080 source 10.77.2.3
            backend be_transparent
                option transparent
                source 0.0.0.0 usesrc clientip

            """
        }
        let ipPath = try XCTUnwrap(Tools.find("ip"))
        let fulcrum = try startFulcrum(config: config(8000, threads: "workers 1", name: "fulcrum", original: 8081),
                                       arguments: ["netns", "exec", proxy, try FulcrumBinary.path(), "-d", "-f", FulcrumProcess.configPlaceholder],
                                       executable: ipPath)
        let reference = try startFulcrum(config: config(9000, threads: "nbthread 1", name: "haproxy", original: 8082),
                                         arguments: ["netns", "exec", proxy, haproxy, "-db", "-f", FulcrumProcess.configPlaceholder],
                                         executable: ipPath)
        for (name, base, process, original) in [("fulcrum", 8000, fulcrum, 8081), ("haproxy", 9000, reference, 8082)] {
            func get(_ url: String) -> String? { try? inNamespace(client, "curl", ["-s", "-m", "3", url]).stdout }
            XCTAssertTrue(waitUntil(timeout: 10) { get("http://10.77.1.1:\(base)/") != nil && get("http://10.77.1.1:\(base)/") != "" },
                          "\(name) serves: \(process.stderrTail())")
            XCTAssertEqual(get("http://10.77.1.1:\(base)/"), "10.77.1.2", "\(name): usesrc clientip, the server sees the client")
            XCTAssertEqual(get("http://10.77.1.1:\(base + 1)/"), "10.77.2.3", "\(name): source ADDR on the server line")
            XCTAssertEqual(get("http://10.77.9.9:\(base + 2)/"), "10.77.1.2", "\(name): a foreign address bound with transparent")
            // The client asks the server itself; the proxy intercepts and,
            // with option transparent, connects where the client wanted to go.
            XCTAssertEqual(get("http://10.77.2.2:\(original)/"), "10.77.1.2 via \(name)", "\(name): option transparent")
        }
    }
}
