import XCTest

/// `use-server`, `force-persist` and `ignore-persist` with cookie
/// persistence, under fulcrum and haproxy 2.6 with the same configuration
/// and the same server in maintenance: which server each request reaches
/// and the Set-Cookie each response carries.
final class SideBySideUseServerTests: XCTestCase {
    func testUseServerAndPersistRulesAsHAProxy() throws {
        let web1 = try startRecordingBackend("s1"), web2 = try startRecordingBackend("s2"), web3 = try startRecordingBackend("s3")
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                balance roundrobin
                cookie SRV insert indirect nocache
                use-server s2 if { path_beg /two }
                use-server s3 if { path_beg /three }
                use-server s1 if { path_beg /three }
                force-persist if { hdr(X-Force) -m found }
                ignore-persist if { path_end .css }
                server s1 127.0.0.1:\(web1.port) cookie c1
                server s2 127.0.0.1:\(web2.port) cookie c2
                server s3 127.0.0.1:\(web3.port) cookie c3
            frontend fe_tcp
                mode tcp
                bind 127.0.0.1:{port2}
                default_backend be_tcp
            backend be_tcp
                mode tcp
                use-server t3 if { src 127.0.0.1 }
                use-server t2 if { src 127.0.0.1 }
                server t1 127.0.0.1:\(web1.port)
                server t2 127.0.0.1:\(web2.port)
                server t3 127.0.0.1:\(web3.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web1, web2, web3], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        for proxy in ProxyUnderTest.allCases {
            _ = try MasterCLI.send("disable server be/s3", socketPath: sockets.paths[proxy]!)
            _ = try MasterCLI.send("disable server be_tcp/t3", socketPath: sockets.paths[proxy]!)
        }
        let aspects = SideBySideAspects(responseHeaders: ["Set-Cookie"], requestHeaders: ["Cookie"], compareBody: false)
        let cases: [(String, [String], String)] = [
            ("/two", [], "s2"),                                   // use-server
            ("/three", [], "s1"),                                 // s3 in maintenance: the next rule
            ("/two", ["Cookie: SRV=c1"], "s2"),                   // use-server before the cookie (and no Set-Cookie)
            ("/x", ["Cookie: SRV=c1"], "s1"),                     // the cookie
            ("/two/a.css", ["Cookie: SRV=c1"], "s2"),             // ignore-persist
            ("/x", ["Cookie: SRV=c3", "X-Force: 1"], "s3"),       // force-persist: the cookie's server in maintenance
            ("/three", ["X-Force: 1"], "s3"),                     // force-persist lets use-server take it too
        ]
        for (path, headers, server) in cases {
            let observed = try sbs.assertSame(httpGet(path, headers), aspects)
            XCTAssertEqual(observed[.fulcrum]?.forwarded.map(\.backend), [server], "\(path) \(headers)")
        }
        // mode tcp: the first rule's server is in maintenance, the next one's takes every stream.
        for _ in 0..<3 {
            let observed = try sbs.assertSame(httpGet("/", ["Connection: close"]), aspects, frontend: 2)
            XCTAssertEqual(observed[.fulcrum]?.forwarded.map(\.backend), ["s2"])
        }
        // ignore-persist without a use-server: the balancer chooses, and no
        // cookie is inserted (HAProxy's SF_IGNORE_PRST), on both.
        for (proxy, observed) in try sbs.exchange(httpGet("/a.css", ["Cookie: SRV=c1"])) {
            XCTAssertEqual(observed.forwarded.count, 1, "\(proxy)")
            XCTAssertEqual(observed.response?.values("Set-Cookie"), [], "\(proxy)")
        }
    }
}
