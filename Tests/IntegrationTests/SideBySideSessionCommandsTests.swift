import XCTest

/// `show sess` and `shutdown session` on both proxies (Fulcrum with two
/// workers, so `show sess` gathers both): the held connections are listed
/// with the same src, fe, be and srv, the errors read alike, and killing one
/// session by its id closes that client's connection only.
final class SideBySideSessionCommandsTests: XCTestCase {
    func testShowSessAndShutdownSessionAsHAProxy() throws {
        let echo = try startBackend(.echo)
        let files = try TemporaryDirectory(prefix: "sess")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            substitutions[proxy] = ["{admin}": files.file("\(proxy).sock"),
                                    "{threads}": proxy == .fulcrum ? "workers 2" : "nbthread 2"]
        }
        let s = try SideBySide(self, config: SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:\(echo.port)

            """, backends: [], global: "    {threads}\n    stats socket {admin} level admin\n", substitutions: substitutions)
        var errors: [ProxyUnderTest: [String]] = [:]
        var shapes: [ProxyUnderTest: String] = [:], details: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = substitutions[proxy]!["{admin}"]!
            var clients: [TCPClient] = []
            for _ in 0..<6 {
                let c = try TCPClient.connect(port: s.ports[proxy]![0])
                try c.send("ping\n")
                XCTAssertEqual(try c.readLine(timeout: 3), "ping", "\(proxy)")
                clients.append(c)
            }
            let listing = try MasterCLI.send("show sess", socketPath: socket)
            // One line per proxied connection (HAProxy also lists the CLI's own, fe=GLOBAL).
            let lines = listing.split(separator: "\n").filter { $0.contains(" fe=fe ") }
            XCTAssertEqual(lines.count, 6, "\(proxy): \(listing)")
            shapes[proxy] = lines.first.map { Self.shape(String($0)) }
            for c in clients {
                let line = lines.first { $0.contains(" src=127.0.0.1:\(c.localPort) ") }
                XCTAssertNotNil(line, "\(proxy): no line for client port \(c.localPort)")
                XCTAssertTrue(line?.contains("proto=tcpv4 src=127.0.0.1:\(c.localPort) fe=fe be=be srv=s1 ") ?? false, "\(proxy): \(line ?? "")")
            }
            // Kill the third client's session by its id.
            let victim = clients[2]
            let id = String(lines.first { $0.contains(" src=127.0.0.1:\(victim.localPort) ") }?.split(separator: ":").first ?? "")
            let detail = try MasterCLI.send("show sess \(id)", socketPath: socket)
            XCTAssertTrue(detail.contains("source=127.0.0.1:\(victim.localPort)"), "\(proxy): \(detail)")
            details[proxy] = Self.detailShape(detail)
            XCTAssertEqual(try MasterCLI.send("shutdown session \(id)", socketPath: socket), "\n", "\(proxy)")
            XCTAssertNotEqual(try victim.waitForClose(timeout: 5), .timeout, "\(proxy): the killed session's client is closed")
            try clients[3].send("pong\n")
            XCTAssertEqual(try clients[3].readLine(timeout: 3), "pong", "\(proxy): the others live on")
            let after = try MasterCLI.send("show sess", socketPath: socket).split(separator: "\n").filter { $0.contains(" fe=fe ") }
            XCTAssertEqual(after.count, 5, "\(proxy)")
            errors[proxy] = try ["shutdown session 0x1234", "shutdown session", "show sess 0x1234"].map {
                try MasterCLI.send($0, socketPath: socket)
            }
            clients.forEach { $0.close() }
        }
        XCTAssertEqual(errors[.fulcrum], errors[.haproxy])
        // The same fields in the same order; what is a pointer, a port, a descriptor, a timer or an internal flag is normalised.
        XCTAssertEqual(shapes[.fulcrum], shapes[.haproxy])
        // `show sess ID`: the head of HAProxy's dump, field for field.
        XCTAssertEqual(details[.fulcrum], details[.haproxy])
        XCTAssertEqual(details[.fulcrum]?.count, 8)
        XCTAssertTrue(shapes[.fulcrum]?.contains("rq[f=Xh,i=0,an=Xh,rx=T,wx=T,ax=T] rp[f=Xh,i=0,an=Xh,rx=T,wx=T,ax=T] scf=[8,Xh,fd=N] scb=[8,Xh,fd=N]") ?? false,
                      shapes[.fulcrum] ?? "")
        XCTAssertEqual(errors[.fulcrum]?.first, "No such session (use 'show sess').\n\n")
    }

    /// A `show sess` line with its values that must differ normalised.
    static func shape(_ line: String) -> String {
        var t = line
        for (pattern, with) in [(#"^0x[0-9a-f]+:"#, "ID:"), (#"src=127\.0\.0\.1:\d+"#, "src=127.0.0.1:P"), (#"f=[0-9a-f]+h"#, "f=Xh"),
                                (#"an=[0-9a-f]+h"#, "an=Xh"), (#"(\[\d+),[0-9a-f]+h,"#, "$1,Xh,"), (#"fd=\d+"#, "fd=N"),
                                (#"(rx|wx|ax)=[0-9a-z]*"#, "$1=T"), (#" exp=[0-9a-z]*"#, " exp=T"), (#"age=\d+s"#, "age=A"),
                                (#"calls=\d+"#, "calls=C"), (#"rate=\d+"#, "rate=R")] {
            t = t.replacingOccurrences(of: pattern, with: with, options: .regularExpression)
        }
        return t
    }

    /// The lines of `show sess ID` Fulcrum prints (HAProxy prints more after them), numbers and pointers normalised.
    static func detailShape(_ text: String) -> [String] {
        let kept = ["  flags=", "  frontend=", "  backend=", "  server=", "  task=", "  req=", "  res="]
        let lines = text.split(separator: "\n").map(String.init)
        return lines.enumerated().filter { item in item.offset == 0 || kept.contains { item.element.hasPrefix($0) } }
            .map { item in
                var t = item.element
                for (pattern, with) in [(#"\[[^\]]*\]"#, "[DATE]"), (#"0x[0-9a-f]+"#, "X"), (#"\(nil\)"#, "X"), (#"\d+"#, "N"),
                                        (#"<NEVER>"#, "T"), (#"exp=N[a-z]"#, "exp=T"), (#"age=[^)]*"#, "age=A")] {
                    t = t.replacingOccurrences(of: pattern, with: with, options: .regularExpression)
                }
                return t
            }
    }
}
