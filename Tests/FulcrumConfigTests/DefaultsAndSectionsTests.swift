import XCTest
@testable import FulcrumConfig

final class DefaultsAndSectionsTests: XCTestCase {
    func testAnonymousDefaultsAreInherited() {
        let r = parse("""
        defaults
            mode tcp
            balance leastconn
            hash-type consistent djb2 avalanche
            timeout connect 4s
            timeout client 1m
            timeout server 2m
            timeout queue 10s
            timeout tunnel 1h
            timeout client-fin 1s
            timeout server-fin 2s
            timeout check 3s
            retries 5
            option redispatch 2
            option allbackups
            maxconn 1000
            default-server inter 3s rise 4 weight 7
            default_backend app
        frontend web
            bind :80
        backend app
            server a 10.0.0.1:80
        """)
        XCTAssertEqual(r.diagnostics, [])
        let f = r.configuration.frontends[0], b = r.configuration.backends[0]
        XCTAssertEqual(f.defaultBackend, "app")
        XCTAssertEqual(f.maxconn, 1000)
        XCTAssertEqual(f.timeouts.client, 60_000)
        XCTAssertEqual(b.balance, .leastConn)
        XCTAssertEqual(b.hashType.method, .consistent)
        XCTAssertEqual(b.hashType.function, .djb2)
        XCTAssertTrue(b.hashType.avalanche)
        XCTAssertEqual(b.timeouts.connect, 4000)
        XCTAssertEqual(b.timeouts.server, 120_000)
        XCTAssertEqual(b.timeouts.queue, 10_000)
        XCTAssertEqual(b.timeouts.tunnel, 3_600_000)
        XCTAssertEqual(b.timeouts.clientFin, 1000)
        XCTAssertEqual(b.timeouts.serverFin, 2000)
        XCTAssertEqual(b.timeouts.check, 3000)
        XCTAssertEqual(b.retries, 5)
        XCTAssertEqual(b.redispatch, 2)
        XCTAssertTrue(b.allBackups)
        XCTAssertEqual(b.servers[0].params.inter, 3000)
        XCTAssertEqual(b.servers[0].params.rise, 4)
        XCTAssertEqual(b.servers[0].params.weight, 7)
    }

    func testLatestDefaultsSectionApplies() {
        let r = parse("""
        defaults
            timeout connect 1s
            timeout client 1s
            timeout server 1s
            retries 1
        backend one
            server s 127.0.0.1:1
        defaults named
            timeout connect 2s
            timeout client 2s
            timeout server 2s
            retries 2
        backend two
            server s 127.0.0.1:1
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.backends.map(\.retries), [1, 2])
        XCTAssertEqual(r.configuration.backends.map(\.timeouts.connect), [1000, 2000])
    }

    func testFromNamedDefaultsAndChains() {
        let r = parse("""
        defaults base
            timeout connect 1s
            timeout client 1s
            timeout server 1s
            retries 7
        defaults derived from base
            retries 8
        defaults other
            retries 9
        backend a from base
            server s 127.0.0.1:1
        backend b from derived
            server s 127.0.0.1:1
        backend c
            server s 127.0.0.1:1
        """)
        XCTAssertEqual(r.warnings.count, 1, "backend c has no timeouts: 'other' does not set them")
        XCTAssertEqual(r.configuration.backends.map(\.retries), [7, 8, 9])
        XCTAssertEqual(r.configuration.backends[1].timeouts.connect, 1000)
    }

    func testProxyOverridesDefaultsAndNoOption() {
        let r = parse(tcpDefaults.replacingOccurrences(of: "mode tcp", with: "mode tcp\n    option redispatch\n    option allbackups") + """
        backend b
            no option redispatch
            no option allbackups
            retries 0
            timeout connect 0
        backend c
            default option redispatch
            option redispatch 0
        """)
        XCTAssertEqual(r.alerts, [])
        let b = r.configuration.backends[0]
        XCTAssertNil(b.redispatch)
        XCTAssertFalse(b.allBackups)
        XCTAssertEqual(b.retries, 0)
        XCTAssertNil(b.timeouts.connect, "a zero timeout means no timeout")
        XCTAssertNil(r.configuration.backends[1].redispatch)
        XCTAssertEqual(parse(tcpDefaults + "backend d\n  option redispatch\n").configuration.backends[0].redispatch, -1)
    }

    func testUnknownFromIsAnError() {
        let r = parse("frontend f from nowhere\n  bind :1\n")
        XCTAssertEqual(r.alerts.first?.message, "defaults section 'nowhere' not found (it must be declared before it is used)")
        XCTAssertEqual(r.alerts.first?.location?.column, 17)
    }

    func testAmbiguousFrom() {
        let r = parse("defaults d\ndefaults d\nbackend b from d\n")
        XCTAssertEqual(r.alerts.map(\.message), ["defaults section name 'd' is ambiguous: declared at t.cfg:1:1, t.cfg:2:1"])
    }

    func testSectionHeaderErrors() {
        assertSingleAlert(parse("frontend\n"), "'frontend' expects <name> as an argument", line: 1, column: 1)
        assertSingleAlert(parse("backend b!\n"), "character '!' is not permitted in backend name 'b!'", line: 1, column: 9)
        assertSingleAlert(parse("backend b extra\n"), "unexpected argument 'extra' after 'backend b'", line: 1, column: 11)
        assertSingleAlert(parse("global x\n"), "'global' takes no argument", line: 1, column: 8)
        assertSingleAlert(parse("backend b from\n"), "'from' expects the name of a defaults section", line: 1, column: 11)
    }

    func testListenProducesFrontendAndBackend() {
        let r = parse(tcpDefaults + """
        listen mysql
            bind 127.0.0.1:3306
            balance source
            server db1 10.0.0.1:3306 check
            server db2 10.0.0.2:3306 check backup
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.frontends.map(\.name), ["mysql"])
        XCTAssertEqual(r.configuration.backends.map(\.name), ["mysql"])
        XCTAssertEqual(r.configuration.frontends[0].defaultBackend, "mysql")
        XCTAssertEqual(r.configuration.backends[0].balance, .source)
        XCTAssertEqual(r.configuration.backends[0].servers.map(\.params.backup), [false, true])
    }

    func testListenWithExplicitDefaultBackend() {
        let r = parse(tcpDefaults + "listen l\n  bind :1\n  default_backend other\n  server s 127.0.0.1:2\nbackend other\n  server o 127.0.0.1:3\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.frontends[0].defaultBackend, "other")
    }

    func testListenWithoutBindIsOnlyABackend() {
        let r = parse(tcpDefaults + "listen l\n  server s 127.0.0.1:2\nfrontend f\n  bind :1\n  default_backend l\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.frontends.map(\.name), ["f"])
        XCTAssertEqual(r.configuration.backends.map(\.name), ["l"])
    }

    func testFrontendAndBackendNamespacesAreSeparate() {
        let ok = parse(tcpDefaults + "frontend app\n  bind :1\n  default_backend app\nbackend app\n  server s 127.0.0.1:2\n")
        XCTAssertEqual(ok.diagnostics, [])
        let dup = parse(tcpDefaults + "backend app\nlisten app\n  bind :1\n  server s 127.0.0.1:2\nfrontend app\n  bind :2\n")
        XCTAssertEqual(dup.alerts.map(\.message), [
            "listen 'app' has the same name as the backend declared at t.cfg:7:1",
            "frontend 'app' has the same name as the frontend declared at t.cfg:8:1",
        ])
    }

    func testSectionsDoNotContinueIntoTheNextFile() {
        let r = ConfigParser.parse([ConfigSource(name: "a.cfg", text: tcpDefaults + "backend b\n"),
                                    ConfigSource(name: "b.cfg", text: "  server s 127.0.0.1:1\n")], environment: [:])
        XCTAssertEqual(r.alerts.map(\.message), ["unknown keyword 'server' out of section"])
        XCTAssertEqual(r.alerts.first?.location?.file, "b.cfg")
    }

    func testDefaultsSpanFiles() {
        let r = ConfigParser.parse([ConfigSource(name: "00-defaults.cfg", text: tcpDefaults + "  retries 9\n"),
                                    ConfigSource(name: "10-app.cfg", text: "backend b\n  server s 127.0.0.1:1\n")],
                                   environment: [:])
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.backends.first?.retries, 9)
    }
}
