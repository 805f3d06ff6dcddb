import XCTest

/// Proxy and server numbers (`id N` and HAProxy's automatic ones, after the
/// stats socket's CLI frontend) read back from both proxies' stats sockets:
/// the iid/sid of `show stat` and the be_id/srv_id of `show servers state`,
/// which server-state files and scripts key on.
final class SideBySideProxyNumberingTests: XCTestCase {
    func testSameNumbersAsHAProxy() throws {
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                id 1
                server s1 127.0.0.1:\(web.port) id 2
                server s2 127.0.0.1:\(web.port)
                server s3 127.0.0.1:\(web.port)
            backend b2
                server x 127.0.0.1:\(web.port)
            listen l3
                bind 127.0.0.1:{port2}
                server y 127.0.0.1:\(web.port) id 7
                server z 127.0.0.1:\(web.port)

            """
        _ = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                           substitutions: sockets.substitutions)
        var stat: [ProxyUnderTest: [String]] = [:], state: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let path = sockets.paths[proxy]!
            stat[proxy] = try MasterCLI.send("show stat", socketPath: path).split(separator: "\n").map {
                let f = $0.split(separator: ",", omittingEmptySubsequences: false)
                return f.count > 28 ? "\(f[0]),\(f[1]),\(f[27]),\(f[28])" : String($0)
            }
            state[proxy] = try MasterCLI.send("show servers state", socketPath: path).split(separator: "\n").dropFirst(2).map {
                $0.split(separator: " ").prefix(4).joined(separator: " ")
            }
        }
        XCTAssertEqual(stat[.fulcrum], stat[.haproxy], "show stat: pxname,svname,iid,sid")
        XCTAssertEqual(state[.fulcrum], state[.haproxy], "show servers state: be_id be_name srv_id srv_name")
        XCTAssertEqual(stat[.fulcrum]?.contains("fe,FRONTEND,2,0"), true, "\(stat[.fulcrum] ?? [])")
        XCTAssertEqual(state[.fulcrum]?.contains("5 l3 2 z"), true, "\(state[.fulcrum] ?? [])")
    }
}
