import XCTest

/// The side-by-side scaffolding on its own (no proxy): the recording
/// backend, the response reader and the aspect comparison, so a red
/// side-by-side test points at a proxy, not at the harness.
final class SideBySideHarnessTests: XCTestCase {
    func testRecordingBackendRecordsPerConnectionAndAnswersAsScripted() throws {
        let backend = try startRecordingBackend("b1") { request in
            request.path == "/chunked"
                ? ScriptedResponse(headers: [("X-Echo", request.values("X-In").joined(separator: ","))],
                                   body: "abcdef", chunked: true)
                : ScriptedResponse.identify(request)
        }
        let client = try TCPClient.connect(port: backend.port)
        try client.send("POST /chunked?q=1 HTTP/1.1\r\nHost: h\r\nX-In: 1\r\nx-in: 2\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nT: v\r\n\r\n")
        let chunked = try XCTUnwrap(client.readHTTPResponse())
        XCTAssertEqual(chunked.status, 200)
        XCTAssertTrue(chunked.chunked)
        XCTAssertEqual(chunked.bodyText, "abcdef")
        XCTAssertEqual(chunked.value("x-echo"), "1,2")
        try client.send("HEAD /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nzz")
        let head = try XCTUnwrap(client.readHTTPResponse(requestMethod: "HEAD"))
        XCTAssertEqual(head.value("X-Served-By"), "b1")
        XCTAssertEqual(head.body, [])
        try client.send("GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try client.readHTTPResponse()?.bodyText, "b1 GET /last\n")
        XCTAssertTrue(try client.closesAfterResponse())

        let second = try TCPClient.connect(port: backend.port)
        try second.send(httpGet("/again"))
        XCTAssertNotNil(try second.readHTTPResponse())
        XCTAssertFalse(try second.closesAfterResponse(timeout: 0.2))

        let requests = backend.takeRequests()
        XCTAssertEqual(requests.map(\.target), ["/chunked?q=1", "/x", "/last", "/again"])
        XCTAssertEqual(requests.map(\.connection), [1, 1, 1, 2])
        XCTAssertEqual(requests.map(\.sequence), [1, 2, 3, 1])
        XCTAssertEqual(requests[0].body, Array("abcde".utf8))
        XCTAssertEqual(requests[0].path, "/chunked")
        XCTAssertEqual(requests[0].values("X-IN"), ["1", "2"])
        XCTAssertEqual(requests[1].body, Array("zz".utf8))
        XCTAssertEqual(backend.takeRequests().count, 0)
    }

    func testAspectsNormaliseCaseAndTokensAndReportDifferences() throws {
        let response = { (names: [String], connection: String) in
            HTTPTestResponse(version: "HTTP/1.1", status: 200, reason: "OK",
                             headers: [(names[0], "a"), (names[1], "b"), ("Connection", connection)],
                             body: Array("x".utf8), chunked: false)
        }
        let request = RecordedRequest(backend: "s1", connection: 1, sequence: 1, method: "GET", target: "/",
                                      version: "HTTP/1.1", headers: [("X-Forwarded-For", "127.0.0.1")], body: [],
                                      rawHead: "")
        let aspects = SideBySideAspects(responseHeaders: ["x-one", "X-Two", "Connection"],
                                        requestHeaders: ["x-forwarded-for"])
        let f = try aspects.of(SideBySideObservation(proxy: .fulcrum, response: response(["X-One", "X-Two"], "Keep-Alive, Upgrade"),
                                                     closed: false, forwarded: [request]))
        let h = try aspects.of(SideBySideObservation(proxy: .haproxy, response: response(["x-one", "x-two"], "upgrade,keep-alive"),
                                                     closed: false, forwarded: [request]))
        XCTAssertEqual(SideBySideAspects.differences(fulcrum: f, haproxy: h), [])
        XCTAssertEqual(f["request.1.x-forwarded-for"], "127.0.0.1")
        let other = try aspects.of(SideBySideObservation(proxy: .haproxy, response: response(["x-one", "x-three"], "close"),
                                                         closed: true, forwarded: []))
        XCTAssertEqual(SideBySideAspects.differences(fulcrum: f, haproxy: other).map { String($0.prefix { $0 != ":" }) },
                       ["closed", "forwarded", "request.1.body", "request.1.method", "request.1.server",
                        "request.1.target", "request.1.version", "request.1.x-forwarded-for",
                        "response.connection", "response.x-two"])
    }
}
