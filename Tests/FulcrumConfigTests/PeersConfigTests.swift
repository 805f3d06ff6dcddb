import XCTest
@testable import FulcrumConfig

/// `peers` sections: both forms load (`peer`, and 2.x `bind` / `server` /
/// `default-server`), `table` lines become `SECTION/NAME` tables, the
/// local peer is `-L`, else `localpeer`, else HAPROXY_LOCALPEER; a section
/// without the local peer is HAProxy's warning; what is not served is an
/// alert at its word.
final class PeersConfigTests: XCTestCase {
    let body = """
    peers mesh
        peer lb1 10.0.0.1:10000
        peer lb2 10.0.0.2:10000
        table t2 type string len 16 size 10 expire 1m store gpc0,http_req_rate(10s)
    frontend fe
        bind :80
        stick-table type ip size 1k peers mesh store conn_cnt
        tcp-request connection track-sc0 src
        default_backend be
    backend be
        server s 10.0.0.9:80

    """

    func testPeerFormAndTables() throws {
        let r = parse("global\n    localpeer lb2\n" + tcpDefaults + body)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let c = r.configuration
        XCTAssertEqual(c.localPeer, "lb2")
        let s = try XCTUnwrap(c.peers.first)
        XCTAssertEqual(s.peers.map(\.name), ["lb1", "lb2"])
        XCTAssertEqual(s.remotes("lb2").map(\.name), ["lb1"])
        XCTAssertEqual(s.listenAddress("lb2"), PeerAddress(host: "10.0.0.2", port: 10000))
        XCTAssertEqual(c.stickTables.map(\.name), ["fe", "mesh/t2"])
        XCTAssertEqual(c.stickTables.map(\.peers), ["mesh", "mesh"])
        XCTAssertEqual(c.stickTables.map(\.wireName), ["fe", "/t2"], "haproxy 2.6's names on the wire")
        XCTAssertEqual(c.stickTables[1].keyType, .string(length: 17))
    }

    /// Rules name a section's table as `SECTION/NAME`, as in HAProxy.
    func testRulesUseASectionsTable() {
        let r = parse("global\n    localpeer lb1\n" + tcpDefaults.replacingOccurrences(of: "mode tcp", with: "mode http") + """
        peers mesh
            peer lb1 10.0.0.1:10000
            table t2 type ip size 10 store gpc0,http_req_cnt
        frontend fe
            bind :80
            http-request track-sc0 src table mesh/t2
            http-request deny if { sc_http_req_cnt(0) gt 5 } || { src_get_gpc0(mesh/t2) gt 3 }
            default_backend be
        backend be
            stick on src table mesh/t2
            server s 10.0.0.9:80

        """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.configuration.stickTables.first?.stored(.serverID), StickStoredData(.serverID), "stick on adds server_id")
    }

    func testCommandLineNameWinsAndTheHostNameIsTheDefault() {
        let text = "global\n    localpeer lb2\n" + tcpDefaults + body
        XCTAssertEqual(parse(text, env: ["HAPROXY_LOCALPEER": "lb1", "FULCRUM_LOCALPEER_CLI": "1"]).configuration.localPeer, "lb1")
        XCTAssertEqual(parse(tcpDefaults + body, env: ["HAPROXY_LOCALPEER": "lb1"]).configuration.localPeer, "lb1")
        let r = parse(tcpDefaults + body, env: ["HAPROXY_LOCALPEER": "elsewhere"])
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.warnings.map(\.message), ["Removing incomplete section 'peers mesh' (no peer named 'elsewhere')."])
        XCTAssertEqual(r.configuration.peers, [])
        XCTAssertEqual(r.configuration.stickTables.map(\.peers), [nil, nil], "nothing to sync with")
    }

    func testServerAndBindForm() throws {
        let r = parse(tcpDefaults + """
        peers p2
            bind 127.0.0.1:7000
            default-server
            server me
            server other 127.0.0.1:7001
            disabled

        """, env: ["HAPROXY_LOCALPEER": "me"])
        XCTAssertEqual(r.alerts.map(\.message), [])
        let s = try XCTUnwrap(r.configuration.peers.first)
        XCTAssertTrue(s.disabled)
        XCTAssertEqual(s.listenAddress("me"), PeerAddress(host: "127.0.0.1", port: 7000))
        XCTAssertEqual(s.remotes("me").map(\.address), [PeerAddress(host: "127.0.0.1", port: 7001)])
    }

    func testRefusals() {
        func alerts(_ section: String, env: [String: String] = ["HAPROXY_LOCALPEER": "a"]) -> [String] {
            parse(tcpDefaults + section, env: env).alerts.map { "\($0.location!.line):\($0.location!.column) \($0.message)" }
        }
        XCTAssertEqual(alerts("peers\n"), ["7:1 missing name for peers section."])
        XCTAssertEqual(alerts("peers p\n    peer a\n"), ["8:5 'peer' expects <name> and <addr>[:<port>] as arguments."])
        XCTAssertEqual(alerts("peers p\n    peer a 10.0.0.1\n"), ["8:12 'peer a' : missing port specification in '10.0.0.1'"])
        XCTAssertEqual(alerts("peers p\n    peer a 10.0.0.1:1 ssl\n"),
                       ["8:23 'peer' option 'ssl' is not supported in a peers section (Fulcrum's peers speak plain TCP)"])
        XCTAssertEqual(alerts("peers p\n    default-server ssl verify none\n    peer a 1.1.1.1:1\n"),
                       ["8:20 'default-server' option 'ssl' is not supported in a peers section (Fulcrum's peers speak plain TCP)"])
        XCTAssertEqual(alerts("peers p\n    peer a 1.1.1.1:1\n    log global\n"), ["9:5 keyword 'log' is not supported yet (in section 'peers')"])
        XCTAssertEqual(alerts("peers p\n    peer a 1.1.1.1:1\n    peeer b 1.1.1.1:2\n"),
                       ["9:5 unknown keyword 'peeer' in 'peers' section; did you mean 'peer'?"])
        XCTAssertEqual(alerts("peers p\n    peer a 1.1.1.1:1\npeers p\n"),
                       ["9:1 peers section 'p' has the same name as another peers section declared at t.cfg:7."])
        XCTAssertEqual(alerts("peers p\n    peer a 1.1.1.1:1\n    bind 127.0.0.1:5\n"), ["9:5 mixing \"peer\" and \"bind\" line is forbidden"])
        XCTAssertEqual(alerts("peers p\n    server a\n    peer b 1.1.1.1:2\n"), ["9:5 mixing \"peer\" and \"bind\" line is forbidden",
            "7:1 peers section 'p': the local peer 'a' has no address (give its 'server' line one, or a 'bind' line)."])
        XCTAssertEqual(alerts("frontend f\n    bind :1\n    stick-table type ip size 1 peers nowhere\n    default_backend b\nbackend b\n"),
                       ["9:5 Proxy 'f': unable to find sync peers 'nowhere'."])
    }
}
