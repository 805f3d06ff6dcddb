import XCTest

/// The rest of issue 11's request set, side by side with haproxy 2.6 under
/// `option httplog`: a redirect answered by the proxy (LR), a server too
/// slow for `timeout server` (504, sH), a client that never finishes its
/// request (408, cR), a client reset while the server thinks and a client
/// that leaves in the middle of its request body.
final class SideBySideHTTPErrorLogTests: XCTestCase {
    func testRedirectTimeoutsAndClientAbort() throws {
        let web = try startRecordingBackend("web")
        // Answers after 1.5 s: past the 1 s `timeout server`.
        let slow = try startRecordingBackend("slow") { request in
            sleepSeconds(1.5)
            return ScriptedResponse.identify(request)
        }
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 1s
                timeout http-request 1s
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                option httplog
                http-request redirect location /elsewhere code 302 if { path_beg /old }
                use_backend slow if { path_beg /slow }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend slow
                server slow 127.0.0.1:\(slow.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web, slow])
        let runs = try logs.sbs.conversation([httpGet("/old/page"), httpGet("/slow/timeout")])
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.map { $0.response?.status ?? 0 }, [302, 504], "\(proxy) statuses")
        }
        // Half a request, then nothing: `timeout http-request` answers 408.
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy))
            defer { client.close() }
            try client.send("GET /slowloris HTTP/1.1\r\nHost: site\r\n")
            XCTAssertEqual(try client.readHTTPResponse(timeout: 5)?.status, 408, "\(proxy)")
        }
        // The client leaves in the middle of its request body.
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy))
            defer { client.close() }
            try client.send("POST /upload HTTP/1.1\r\nHost: site\r\nContent-Length: 1000\r\n\r\n0123456789")
            try client.shutdownWrite()
            _ = try client.waitForClose(timeout: 5)
        }
        // The client leaves (a reset) while the slow server has the request:
        // unnoticed until the server times out.
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy))
            defer { client.close() }
            try client.send(httpGet("/slow/reset"))
            XCTAssertTrue(waitUntil(timeout: 5) { !slow.requests.isEmpty }, "\(proxy): the request reached the server")
            _ = slow.takeRequests()
            client.reset()
        }
        let comparison = LogLineComparison(.httplog)
        let lines = try logs.assertSameLines(count: 5, comparison, "errors", timeout: 10)
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            "127.0.0.1:{port} [{date}] fe fe/<NOSRV> {t}/-1/-1/-1/{t} 302 91 - - LR-- 1/1/0/0/0 0/0 \"GET /old/page HTTP/1.1\"",
            "127.0.0.1:{port} [{date}] fe slow/slow {t}/{t}/{t}/-1/{t} 504 198 - - sH-- 1/1/0/0/0 0/0 \"GET /slow/timeout HTTP/1.1\"",
            "127.0.0.1:{port} [{date}] fe fe/<NOSRV> -1/-1/-1/-1/{t} 408 0 - - cR-- 1/1/0/0/0 0/0 \"<BADREQ>\"",
            "127.0.0.1:{port} [{date}] fe be/web {t}/{t}/{t}/-1/{t} -1 0 - - CL-- 1/1/0/0/0 0/0 \"POST /upload HTTP/1.1\"",
            "127.0.0.1:{port} [{date}] fe slow/slow {t}/{t}/{t}/-1/{t} 504 198 - - sH-- 1/1/0/0/0 0/0 \"GET /slow/reset HTTP/1.1\"",
        ].map { "<134>{time} {program}[{pid}]: " + $0 },
                             "errors")
    }
}
