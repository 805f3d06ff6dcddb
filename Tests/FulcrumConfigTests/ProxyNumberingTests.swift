import XCTest
@testable import FulcrumConfig

/// Proxy and server numbers as haproxy 2.6 gives them (each case was run
/// through haproxy and read back from its `show stat` iid/sid columns).
final class ProxyNumberingTests: XCTestCase {
    func testTheWalkAsHAProxyDoesIt() {
        XCTAssertEqual(ProxyNumbering.numbers(explicit: [nil, nil, nil]), [1, 2, 3])
        // A stats socket's CLI frontend walks first.
        XCTAssertEqual(ProxyNumbering.numbers(explicit: [nil, nil], firstTaken: true), [2, 3])
        // fe, be (id 1), b2, l3 with a stats socket: 2, 1, 4, 5.
        XCTAssertEqual(ProxyNumbering.numbers(explicit: [nil, 1, nil, nil], firstTaken: true), [2, 1, 4, 5])
        // fe, fe2 (id 1) with a stats socket: 2, 1.
        XCTAssertEqual(ProxyNumbering.numbers(explicit: [nil, 1], firstTaken: true), [2, 1])
        // Servers s1 (id 2), s2, s3: 2, 3, 4.
        XCTAssertEqual(ProxyNumbering.numbers(explicit: [2, nil, nil]), [2, 3, 4])
        XCTAssertEqual(ProxyNumbering.numbers(explicit: [nil, 1, nil]), [2, 1, 4])
    }

    func testConfigurationNumbers() {
        let r = parse("""
            global
                stats socket /run/x.sock
            \(tcpDefaults)
            frontend fe
                bind :80
                default_backend be
            backend be
                id 1
                server s1 127.0.0.1:80 id 2
                server s2 127.0.0.1:80
                server s3 127.0.0.1:80
            backend b2
                server x 127.0.0.1:80
            listen l3
                bind :81
                server y 127.0.0.1:80

            """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.frontends.map(\.id), [2, 5])
        XCTAssertEqual(r.configuration.backends.map(\.id), [1, 4, 5])
        XCTAssertEqual(r.configuration.backends[0].servers.map(\.id), [2, 3, 4])
        XCTAssertEqual(r.configuration.backends[2].servers.map(\.id), [1])
    }

    func testHAProxysComplaints() {
        let r = parse(tcpDefaults + """
            frontend fe
                id 3
                bind :80
                default_backend be
            backend be
                id 3
                default-server id 4
                server s1 127.0.0.1:80 id 2
                server s2 127.0.0.1:80 id 2
                server s3 127.0.0.1:80 id 0
            backend b3
                id 0
                server s 127.0.0.1:80 id x
            backend b4
                id

            """)
        let messages = r.alerts.map { "\($0.location!.line):\($0.location!.column): \($0.message)" }
        XCTAssertEqual(messages.sorted(), [
            "12:5: backend be reuses same custom id as frontend fe (declared at t.cfg:7:1).",
            "13:23: 'id' option is not accepted in default-server sections",
            "15:5: 'server be/s2' : 'id' : custom id 2 already used at t.cfg:14:5 ('server s1').",
            "16:31: 'id' : custom id has to be > 0.",
            "18:8: custom id has to be > 0.",
            "19:30: 'id' : expects an integer argument.",
            "21:5: 'id' expects an integer argument.",
        ].sorted())
    }
}
