import XCTest

/// `in_table` and the `table_*` converters side by side with haproxy 2.6
/// (2 workers against nbthread 2): the same requests read the same values
/// out of the tables — a key there or not, its counters, a stored type the
/// table lacks — and an ACL on `in_table` denies the same requests.
final class SideBySideStickTableConverterTests: XCTestCase {
    func testTableConvertersReadTheSameValuesAsHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let web = try startRecordingBackend("web")
        var ports: [ProxyUnderTest: UInt16] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = try FreePort.next()
            let config = """
                global
                    \(proxy == .fulcrum ? "workers 2" : "nbthread 2")
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                backend st
                    stick-table type ip size 100 expire 1m store http_req_cnt,gpc0,http_req_rate(10s)
                backend users
                    stick-table type string len 32 size 100 expire 1m store gpc0
                frontend fe
                    bind 127.0.0.1:\(port)
                    http-request track-sc0 src table st
                    http-request track-sc1 req.hdr(x-user) table users if { req.hdr(x-user) -m found }
                    http-request sc-inc-gpc0(1) if { req.hdr(x-user) -m found }
                    acl known req.hdr(x-who),in_table(users)
                    http-request deny deny_status 403 if { path /private } !known
                    http-request return status 200 content-type text/plain lf-string "trk=%[src,table_trackers(st)]" if { path /first }
                    http-request return status 200 content-type text/plain lf-string "in=%[src,in_table(st)] cnt=%[src,table_http_req_cnt(st)] rate=%[src,table_http_req_rate(st)] gpc=%[req.hdr(x-who),table_gpc0(users)] who=%[req.hdr(x-who),in_table(users)] other=%[str(10.9.9.9),in_table(st)] none=%[str(10.9.9.9),table_http_req_cnt(st)] nogpc1=%[src,table_gpc1(st)]"
                    default_backend be
                backend be
                    server web 127.0.0.1:\(web.port)

                """
            let process = proxy == .fulcrum
                ? try startFulcrum(config: config)
                : try startFulcrum(config: config, arguments: ["-db", "-f", FulcrumProcess.configPlaceholder], executable: haproxy)
            try process.waitUntilListening(port: port)
            ports[proxy] = port
        }
        // The first request has the table to itself: its trackers are its
        // own (and HAProxy's lookup's); later ones may race a closing one.
        let steps: [(String, [String])] = [
            ("/first", []),
            ("/", ["X-Who: alice"]),
            ("/", ["X-User: alice", "X-Who: alice"]),
            ("/", ["X-User: alice", "X-Who: alice"]),
            ("/", ["X-Who: bob"]),
            ("/private", ["X-Who: bob"]),
            ("/private", ["X-Who: alice"]),
        ]
        var answers: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (path, headers) in steps {
                let client = try TCPClient.connect(port: ports[proxy]!)
                defer { client.close() }
                try client.send(httpGet(path, headers + ["Connection: close"]))
                let response = try XCTUnwrap(try client.readHTTPResponse(timeout: 5), "\(proxy) \(path) \(headers)")
                answers[proxy, default: []].append("\(response.status) \(response.status == 200 ? response.bodyText : "")")
            }
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy])
        // Not only equal: the values moved as the tables did.
        XCTAssertEqual(answers[.fulcrum]?.first, "200 trk=2")
        XCTAssertEqual(answers[.fulcrum]?[1], "200 in=1 cnt=2 rate=2 gpc=0 who=0 other=0 none=0 nogpc1=")
        XCTAssertEqual(answers[.fulcrum]?[5], "403 ")
        XCTAssertTrue(answers[.fulcrum]?[6].hasPrefix("200 in=1 cnt=7") ?? false, "\(answers[.fulcrum] ?? [])")
    }
}
