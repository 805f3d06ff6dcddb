import XCTest
@testable import FulcrumConfig

/// Keep-alive probes, queueing options, `fullconn`/`minconn`/`maxqueue` and
/// bind socket options: read into the model as HAProxy reads them.
final class ConnectionOptionTests: XCTestCase {
    private let backend = "backend b\n  server s 127.0.0.1:1\n"

    func testKeepAliveOptionsPerSide() {
        let r = parse(tcpDefaults + """
            frontend f
              bind :80
              option clitcpka
              clitcpka-idle 30
              clitcpka-intvl 2s
              clitcpka-cnt 4
              default_backend b
            backend b
              option srvtcpka
              srvtcpka-idle 1m
              server s 127.0.0.1:1
            listen l
              bind :81
              option tcpka
              server s 127.0.0.1:1

            """)
        XCTAssertEqual(r.alerts, [])
        let f = r.configuration.frontends[0].connection.clientKeepAlive
        XCTAssertEqual([f.enabled ? 1 : 0, f.idle, f.interval, f.count], [1, 30, 2, 4])
        let b = r.configuration.backends[0].connection.serverKeepAlive
        XCTAssertEqual([b.enabled ? 1 : 0, b.idle], [1, 60])
        XCTAssertNil(b.interval)
        XCTAssertTrue(r.configuration.frontends[1].connection.clientKeepAlive.enabled)
        XCTAssertTrue(r.configuration.backends[1].connection.serverKeepAlive.enabled)
    }

    func testNoOptionAndDefaults() {
        let r = parse("defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n  option tcpka\n  option abortonclose\n  option nolinger\n  option splice-response\n"
                      + "frontend f\n  bind :80\n  no option clitcpka\n  default_backend b\n" + backend)
        XCTAssertEqual(r.alerts, [])
        XCTAssertFalse(r.configuration.frontends[0].connection.clientKeepAlive.enabled)
        XCTAssertTrue(r.configuration.backends[0].connection.serverKeepAlive.enabled)
        XCTAssertTrue(r.configuration.backends[0].connection.abortOnClose)
        XCTAssertTrue(r.configuration.frontends[0].connection.noLinger && r.configuration.backends[0].connection.noLinger)
        XCTAssertTrue(r.configuration.backends[0].connection.spliceResponse)
        XCTAssertFalse(r.configuration.backends[0].connection.spliceRequest)
    }

    func testCapabilityWarningsAndHTTPOnlyOptions() {
        let r = parse(tcpDefaults + "frontend f\n  bind :80\n  option srvtcpka\n  option http-ignore-probes\n  default_backend b\n"
                      + "backend b\n  clitcpka-idle 10\n  option prefer-last-server\n  server s 127.0.0.1:1\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), [
            "'option srvtcpka' ignored because frontend 'f' has no backend capability",
            "'clitcpka-idle' ignored because backend 'b' has no frontend capability",
            "'option http-ignore-probes' ignored for frontend 'f' as it requires HTTP mode.",
            "'option prefer-last-server' ignored for backend 'b' as it requires HTTP mode.",
        ])
        XCTAssertFalse(r.configuration.frontends[0].connection.ignoreProbes)
        XCTAssertFalse(r.configuration.backends[0].connection.preferLastServer)
    }

    func testBadValues() {
        let r = parse(tcpDefaults + "frontend f\n  bind :80\n  clitcpka-idle x\n  clitcpka-cnt\n  default_backend b\n"
                      + "backend b\n  fullconn -1\n  option persist now\n  server s 127.0.0.1:1 maxqueue x\n")
        XCTAssertEqual(r.alerts.map(\.location!.line), [9, 10, 13, 14, 15])
        XCTAssertEqual(r.alerts[3].message, "unexpected argument 'now' for 'option persist'")
        XCTAssertTrue(r.alerts[4].message.contains("maxqueue"), r.alerts[4].message)
    }

    func testFullconnAndServerQueueing() {
        let r = parse("global\n  maxconn 2000\n" + tcpDefaults + """
            frontend f1
              bind :80
              maxconn 300
              default_backend b
            frontend f2
              bind :81
              default_backend b
            backend b
              server s1 127.0.0.1:1 minconn 5 maxconn 50 maxqueue 3
              server s2 127.0.0.1:2 minconn 80 maxconn 50
            backend c
              fullconn 40
              server s 127.0.0.1:1

            """)
        XCTAssertEqual(r.alerts, [])
        let b = r.configuration.backends[0]
        // HAProxy: (300 + 2000 (global maxconn for f2) + 9) / 10.
        XCTAssertEqual(b.fullconn, 230)
        XCTAssertEqual([b.servers[0].params.minconn, b.servers[0].params.maxconn, b.servers[0].params.maxqueue], [5, 50, 3])
        XCTAssertEqual(r.configuration.backends[1].fullconn, 40)
    }

    func testBindSocketOptions() {
        let r = parse(tcpDefaults + "frontend f\n  bind [::]:80 v6only defer-accept mss 1400 interface lo tfo\n  bind :81 v4v6\n  default_backend b\n" + backend)
        XCTAssertEqual(r.alerts, [])
        let s = r.configuration.frontends[0].binds[0].socket
        XCTAssertEqual(s.v6Only, true)
        XCTAssertTrue(s.deferAccept && s.fastOpen)
        XCTAssertEqual(s.mss, 1400)
        XCTAssertEqual(s.interface, "lo")
        XCTAssertEqual(r.configuration.frontends[0].binds[1].socket.v6Only, false)
        XCTAssertNotEqual(s.identity, r.configuration.frontends[0].binds[1].socket.identity)
        let bad = parse(tcpDefaults + "frontend f\n  bind :80 mss 0\n  bind :81 mss -40\n  bind :82\n  default_backend b\n" + backend)
        XCTAssertEqual(bad.alerts.map(\.message), [
            "'mss' : expects an MSS with and absolute value between 1 and 65535",
            "a negative 'mss' (MTU minus the value) is not supported yet (in section 'frontend')",
        ])
    }
}
