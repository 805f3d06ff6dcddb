import XCTest

/// `capture.req.method`, `capture.req.uri`, `capture.req.ver` and
/// `capture.res.ver`: the start lines as they arrived, whatever set-method
/// or set-uri made of them, in header values and ACLs, under fulcrum and
/// haproxy 2.6 with the same configuration.
final class SideBySideCaptureFetchTests: XCTestCase {
    func testCaptureFetchesSeeTheLinesAsReceived() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request deny if { capture.req.uri -m beg /deny }
                http-request set-method PUT if { path_beg /put }
                http-request set-uri /rewritten%[path]
                http-request set-header X-Cap "%[capture.req.method]|%[capture.req.uri]|%[capture.req.ver]"
                http-request set-header X-Now "%[url]|%[req.ver]"
                http-response set-header X-Res-Ver %[capture.res.ver]
                http-response set-header X-Req-Line "%[capture.req.method] %[capture.req.uri]"
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        let aspects = SideBySideAspects(responseHeaders: ["X-Res-Ver", "X-Req-Line"], requestHeaders: ["X-Cap", "X-Now"],
                                        compareBody: false)
        let get = try sbs.assertSame(httpGet("/a?b=1"), aspects)
        XCTAssertEqual(get[.fulcrum]?.forwarded.first?.values("X-Cap"), ["GET|/a?b=1|HTTP/1.1"])
        XCTAssertEqual(get[.fulcrum]?.forwarded.first?.values("X-Now"), ["/rewritten/a|1.1"])
        XCTAssertEqual(get[.fulcrum]?.response?.values("X-Res-Ver"), ["HTTP/1.1"])
        XCTAssertEqual(get[.fulcrum]?.response?.values("X-Req-Line"), ["GET /a?b=1"])
        let put = try sbs.assertSame(httpGet("/put/x"), aspects)
        XCTAssertEqual(put[.fulcrum]?.forwarded.first?.values("X-Cap"), ["GET|/put/x|HTTP/1.1"])
        XCTAssertEqual(put[.fulcrum]?.forwarded.first?.method, "PUT")
        let old = try sbs.assertSame("GET /old HTTP/1.0\r\nHost: site\r\n\r\n", aspects)
        XCTAssertEqual(old[.fulcrum]?.forwarded.first?.values("X-Cap"), ["GET|/old|HTTP/1.0"])
        let denied = try sbs.assertSame(httpGet("/deny/me"), aspects)
        XCTAssertEqual(denied[.fulcrum]?.response?.status, 403)
        XCTAssertEqual(denied[.fulcrum]?.forwarded.count, 0)
    }

    /// `capture.req.hdr(N)` / `capture.res.hdr(N)`: a frontend's capture
    /// slots as the log line would show them (the last value, cut to the
    /// slot's length; a declared slot, what its capture rule put there).
    func testCaptureSlotFetches() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                capture request header Host len 4
                capture request header X-Multi len 64
                declare capture request len 6
                capture response header X-Served-By len 2
                http-request capture str(ruled-value) id 2
                http-request set-header X-Slots "%[capture.req.hdr(0)]|%[capture.req.hdr(1)]|%[capture.req.hdr(2)]"
                http-request set-header X-Missing "%[capture.req.hdr(7)]"
                http-request deny if { capture.req.hdr(0) -m str deny }
                http-response set-header X-Res-Slot "%[capture.res.hdr(0)]"
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        let aspects = SideBySideAspects(responseHeaders: ["X-Res-Slot"], requestHeaders: ["X-Slots", "X-Missing"], compareBody: false)
        let served = try sbs.assertSame(httpGet("/", host: "example.test", ["X-Multi: a, b", "X-Multi: last"]), aspects)
        XCTAssertEqual(served[.fulcrum]?.forwarded.first?.values("X-Slots"), ["exam|last|ruled-"])
        XCTAssertEqual(served[.fulcrum]?.forwarded.first?.values("X-Missing"), [""])
        XCTAssertEqual(served[.fulcrum]?.response?.values("X-Res-Slot"), ["we"])
        let denied = try sbs.assertSame(httpGet("/", host: "denyme"), aspects)
        XCTAssertEqual(denied[.fulcrum]?.response?.status, 403)
    }
}
