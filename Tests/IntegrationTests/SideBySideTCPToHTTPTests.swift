import XCTest

/// A mode tcp frontend routed to a mode http backend (haproxy's
/// examples/transparent_proxy.cfg): HAProxy upgrades the stream to HTTP, so
/// the backend's http-request rules and `option forwardfor` apply, requests
/// on one connection are served one after the other, and bytes a
/// `tcp-request content` rule already inspected are the first request's.
/// The same configuration under fulcrum and haproxy 2.6.
final class SideBySideTCPToHTTPTests: XCTestCase {
    private func start() throws -> (SideBySide, RecordingHTTPBackend, RecordingHTTPBackend) {
        let web = try startRecordingBackend("web")
        let other = try startRecordingBackend("other")
        let config = """
            defaults
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend MyFrontend
                bind 127.0.0.1:{port}
                default_backend TransparentBack_http
            frontend inspecting
                bind 127.0.0.1:{port2}
                tcp-request inspect-delay 2s
                tcp-request content accept if { req.len gt 20 }
                use_backend other_http if { req.payload(0,10) -m str "GET /other" }
                default_backend TransparentBack_http
            frontend switching
                bind 127.0.0.1:{port3}
                tcp-request inspect-delay 2s
                tcp-request content switch-mode http proto h1 if { req.len gt 0 }
                tcp-request content reject
                option forwardfor
                http-request set-header X-Switched yes
                use_backend other_http if { path_beg /other }
                default_backend TransparentBack_http
            backend TransparentBack_http
                mode http
                option forwardfor
                http-request set-header X-Upgraded TransparentBack_http
                server MyWebServer 127.0.0.1:\(web.port)
            backend other_http
                mode http
                http-request set-header X-Upgraded other_http
                server other 127.0.0.1:\(other.port)

            """
        return (try SideBySide(self, config: config, backends: [web, other]), web, other)
    }

    private let aspects = SideBySideAspects(requestHeaders: ["X-Upgraded", "X-Forwarded-For", "Host", "X-Switched"])

    func testTCPFrontendUpgradesToTheHTTPBackend() throws {
        let (sbs, _, _) = try start()
        // Three requests on one connection: each goes through the backend's rules.
        let last = try sbs.assertSame([httpGet("/a"), httpGet("/b"), httpGet("/c", ["Connection: close"])], aspects,
                                      checkClose: true)
        let served = try XCTUnwrap(last[.fulcrum])
        XCTAssertEqual(served.response?.status, 200)
        XCTAssertEqual(served.forwarded.first?.target, "/c")
        XCTAssertEqual(served.forwarded.first?.values("X-Upgraded"), ["TransparentBack_http"])
        XCTAssertEqual(served.forwarded.first?.values("X-Forwarded-For"), ["127.0.0.1"])
        XCTAssertEqual(served.closed, true)
    }

    func testInspectedBytesStartTheFirstRequest() throws {
        let (sbs, _, _) = try start()
        for (path, backend) in [("/other/x", "other_http"), ("/plain", "TransparentBack_http")] {
            let first = try sbs.assertSame(httpGet(path, ["Connection: close"]), aspects, checkClose: true, frontend: 2)
            let served = try XCTUnwrap(first[.fulcrum])
            XCTAssertEqual(served.response?.status, 200, path)
            XCTAssertEqual(served.forwarded.first?.values("X-Upgraded"), [backend], path)
            XCTAssertEqual(served.forwarded.first?.target, path)
        }
        // A later request on the connection is routed again, on an HTTP
        // message: the payload fetch finds no bytes, the default backend serves.
        let later = try sbs.assertSame([httpGet("/other/x"), httpGet("/other/y", ["Connection: close"])], aspects,
                                       checkClose: true, frontend: 2)
        XCTAssertEqual(later[.fulcrum]?.forwarded.first?.values("X-Upgraded"), ["TransparentBack_http"])
        XCTAssertEqual(later[.fulcrum]?.forwarded.first?.target, "/other/y")
    }

    /// `tcp-request content switch-mode http`: the following content rules
    /// are not evaluated (the reject), the frontend's own HTTP rules and
    /// use_backend then run on every request of the connection.
    func testSwitchModeRunsTheFrontendsHTTPRules() throws {
        let (sbs, _, _) = try start()
        let requests = [httpGet("/other/x"), httpGet("/plain"), httpGet("/other/z", ["Connection: close"])]
        let runs = try sbs.conversation(requests, checkClose: true, frontend: 3)
        for (index, pair) in zip(runs[.fulcrum]!, runs[.haproxy]!).enumerated() {
            XCTAssertEqual(SideBySideAspects.differences(fulcrum: try aspects.of(pair.0), haproxy: try aspects.of(pair.1)), [],
                           "request \(index + 1)")
        }
        let f = try XCTUnwrap(runs[.fulcrum])
        XCTAssertEqual(f.count, 3)
        XCTAssertEqual(f.map { $0.forwarded.first?.values("X-Upgraded") ?? [] },
                       [["other_http"], ["TransparentBack_http"], ["other_http"]])
        XCTAssertEqual(f.map { $0.forwarded.first?.values("X-Switched") ?? [] }, [["yes"], ["yes"], ["yes"]])
        XCTAssertEqual(f.first?.forwarded.first?.values("X-Forwarded-For"), ["127.0.0.1"])
    }
}
