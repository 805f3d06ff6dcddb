import XCTest

/// `show errors` side by side with haproxy 2.6 (two workers against two
/// threads): an invalid request (400) and an invalid response (502) are
/// kept per proxy with the bytes received, where the parser stopped and
/// HAProxy's dump of them; the filters by proxy and direction answer the
/// same. Dates, the client's port and the H1 parser's internal flag lines
/// are normalised (Fulcrum prints those flags as zeros: docs/differences.md).
final class SideBySideShowErrorsTests: XCTestCase {
    static func normalised(_ text: String) -> String {
        var t = text.replacingOccurrences(of: #"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]"#, with: "[DATE]", options: .regularExpression)
        t = t.replacingOccurrences(of: #"src 127\.0\.0\.1:\d+"#, with: "src 127.0.0.1:PORT", options: .regularExpression)
        return t.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("  H1 ") }.joined(separator: "\n")
    }

    func testInvalidRequestsAndResponsesAreListedAsHAProxyListsThem() throws {
        let bad = try TestBackend(.banner("HTTP/1.1 200 OK\r\nBad Header\r\nContent-Length: 0\r\n\r\n"))
        addTeardownBlock { bad.stop() }
        let sockets = try SideBySideWorkerSockets(self)
        let substitutions = sockets.substitutions
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                retries 0
                server s1 127.0.0.1:\(bad.port)
            listen other
                bind 127.0.0.1:{port2}
                http-request return status 200

            """, backends: [], global: SideBySideWorkerSockets.global, substitutions: substitutions)

        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = s.ports[proxy]![0], socket = sockets.paths[proxy]!
            func status(_ request: String) -> String {
                guard let c = try? TCPClient.connect(port: port) else { return "refused" }
                defer { c.close() }
                try? c.send(request)
                return (try? c.readHTTPResponse()).flatMap { $0.map { String($0.status) } } ?? "no response"
            }
            func show(_ args: String) throws -> String {
                "show errors\(args) -> " + Self.normalised(try MasterCLI.send("show errors" + args, socketPath: socket))
            }
            var out: [String] = []
            out.append(try show(""))
            out.append("invalid request -> " + status("GET /a\u{1}b HTTP/1.1\r\nHost: x\r\n\r\n"))
            out.append("invalid response -> " + status("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            for args in ["", " fe", " be", " nope", " fe response", " be request", " 2", " -1", " response", " other", " 3 response"] {
                out.append(try show(args))
            }
            // A later error of the same proxy replaces the first (whichever worker saw it).
            out.append("another invalid request -> " + status("POST /x HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n"))
            out.append(try show(" fe"))
            // A bad chunk size: the message as received, head and body, the position at the bad byte.
            out.append("invalid chunk -> " + status("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"))
            out.append(try show(" fe request"))
            transcripts[proxy] = out
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertEqual(transcripts[.fulcrum]?[1], "invalid request -> 400")
        XCTAssertEqual(transcripts[.fulcrum]?[3].contains("error at position 6\n  \n  00000  GET /a\\x01b HTTP/1.1\\r\\n\n"), true,
                       transcripts[.fulcrum]?[3] ?? "")
    }

    /// Heads refused once read (length and coding fields, Host, the target,
    /// WebSocket, an unsupported coding) and bodies refused part way (chunk
    /// sizes, data not followed by its line end): the status, and `show
    /// errors`' position and dump, are haproxy's for each.
    func testErrorPositionsAsHAProxy() throws {
        let sockets = try SideBySideWorkerSockets(self)
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request return status 200

            """, backends: [], global: SideBySideWorkerSockets.global, substitutions: sockets.substitutions)
        let requests = [
            "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length:  12a\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 1,2\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nab",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "CONNECT foo HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nabcde\r\n0\r\n\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\nzz\r\n",
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX\r\n0\r\n\r\n",
        ]
        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = s.ports[proxy]![0], socket = sockets.paths[proxy]!
            transcripts[proxy] = try requests.map { request in
                let c = try TCPClient.connect(port: port)
                defer { c.close() }
                try c.send(request)
                let status = (try? c.readHTTPResponse()).flatMap { $0.map { String($0.status) } } ?? "no response"
                // The dump without its header lines (dates, ports, event numbers, H1 flags).
                let dump = Self.normalised(try MasterCLI.send("show errors fe request", socketPath: socket))
                    .split(separator: "\n").filter { $0.hasPrefix("  ") }.joined(separator: "\n")
                return "\(status)\n\(dump)"
            }
        }
        for (i, request) in requests.enumerated() {
            XCTAssertEqual(transcripts[.fulcrum]![i], transcripts[.haproxy]![i], request)
        }
        XCTAssertTrue(transcripts[.fulcrum]![0].contains("error at position 43\n"), transcripts[.fulcrum]![0])
    }

    /// Responses refused once read (a bad Content-Length, a coding other
    /// than chunked) or part way through a chunked body already received:
    /// the 502 and `show errors`' position and dump are haproxy's.
    func testResponseErrorPositionsAsHAProxy() throws {
        let answers = [
            "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nab",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ]
        let servers = try answers.map { try TestBackend(.banner($0)) }
        addTeardownBlock { servers.forEach { $0.stop() } }
        let sockets = try SideBySideWorkerSockets(self)
        let backends = servers.enumerated().map { "backend b\($0.offset)\n    retries 0\n    server s 127.0.0.1:\($0.element.port)\n" }
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend b%[path,field(2,/)]

            """ + backends.joined() + "\n", backends: [], global: SideBySideWorkerSockets.global, substitutions: sockets.substitutions)
        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = s.ports[proxy]![0], socket = sockets.paths[proxy]!
            transcripts[proxy] = try answers.indices.map { i in
                let c = try TCPClient.connect(port: port)
                defer { c.close() }
                try c.send(httpGet("/\(i)"))
                let status = (try? c.readHTTPResponse()).flatMap { $0.map { String($0.status) } } ?? "no response"
                let dump = Self.normalised(try MasterCLI.send("show errors b\(i) response", socketPath: socket))
                    .split(separator: "\n").filter { $0.hasPrefix("  ") }.joined(separator: "\n")
                return "\(status)\n\(dump)"
            }
        }
        for (i, answer) in answers.enumerated() {
            XCTAssertEqual(transcripts[.fulcrum]![i], transcripts[.haproxy]![i], answer)
        }
        XCTAssertTrue(transcripts[.fulcrum]![2].hasPrefix("502\n") && transcripts[.fulcrum]![2].contains("error at position 55\n"),
                      transcripts[.fulcrum]![2])
    }
}
