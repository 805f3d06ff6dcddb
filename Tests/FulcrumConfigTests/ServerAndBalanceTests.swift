import XCTest
@testable import FulcrumConfig

final class ServerAndBalanceTests: XCTestCase {
    private func backend(_ body: String) -> (Backend?, ParseResult) {
        let r = parse(tcpDefaults + "backend b\n" + body)
        return (r.configuration.backends.first, r)
    }

    func testServerAddressForms() {
        let (b, r) = backend("""
          server a 10.0.0.1:8080
          server b 10.0.0.2
          server c [2001:db8::1]:443
          server d app.internal:80
          server e ipv4@10.0.0.3:81
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.servers.map(\.host), ["10.0.0.1", "10.0.0.2", "2001:db8::1", "app.internal", "10.0.0.3"])
        XCTAssertEqual(b?.servers.map(\.port), [8080, nil, 443, 80, 81])
        XCTAssertEqual(b?.servers.first?.location, SourceLocation(file: "t.cfg", line: 8, column: 3))
    }

    func testServerParams() {
        let (b, r) = backend("  server a 10.0.0.1:80 weight 0 maxconn 50 backup disabled check inter 500 fastinter 100ms downinter 1m rise 3 fall 5 port 9000 addr 10.0.0.9\n")
        XCTAssertEqual(r.diagnostics, [])
        let p = b!.servers[0].params
        XCTAssertEqual(p.weight, 0)
        XCTAssertEqual(p.maxconn, 50)
        XCTAssertTrue(p.backup)
        XCTAssertTrue(p.disabled)
        XCTAssertTrue(p.check)
        XCTAssertEqual(p.inter, 500)
        XCTAssertEqual(p.fastinter, 100)
        XCTAssertEqual(p.downinter, 60_000)
        XCTAssertEqual(p.rise, 3)
        XCTAssertEqual(p.fall, 5)
        XCTAssertEqual(p.checkPort, 9000)
        XCTAssertEqual(p.checkAddr, "10.0.0.9")
    }

    /// `source ADDR[:PORT] [usesrc ...]` in a backend (from defaults too) and on server lines.
    func testSource() {
        let r = parse(tcpDefaults + "  source 0.0.0.0 usesrc clientip\nbackend b\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80 source 10.0.0.9:2000 usesrc client check\n  server c 10.0.0.3:80 source [2001:db8::1] usesrc 192.0.2.1:7\nbackend d\n  source 10.1.1.1\n  server a 10.0.0.1:80\n")
        XCTAssertEqual(r.diagnostics, [])
        let b = r.configuration.backends[0]
        XCTAssertEqual(b.source, SourceBinding(host: "0.0.0.0", useSource: .clientIP))
        XCTAssertNil(b.servers[0].params.source)
        XCTAssertEqual(b.servers[1].params.source, SourceBinding(host: "10.0.0.9", port: 2000, useSource: .client))
        XCTAssertTrue(b.servers[1].params.check)
        XCTAssertEqual(b.servers[2].params.source, SourceBinding(host: "2001:db8::1", useSource: .address(host: "192.0.2.1", port: 7)))
        XCTAssertEqual(r.configuration.backends[1].source, SourceBinding(host: "10.1.1.1"))
        let t = parse(tcpDefaults + "  option transparent\nbackend b\nbackend c\n  no option transparent\n")
        XCTAssertEqual(t.diagnostics, [])
        XCTAssertEqual(t.configuration.backends.map(\.transparent), [true, false])
        let bad = parse(tcpDefaults + "backend b\n  source example.com\n  source 1.2.3.4 usesrc hdr_ip(x-forwarded-for)\n  source 1.2.3.4 interface eth0\n  server a 10.0.0.1:80\n")
        XCTAssertEqual(bad.alerts.map(\.message), [
            "source address 'example.com' must be a numeric IPv4 or IPv6 address",
            "'usesrc hdr_ip(...)' is not supported yet",
            "'source ... interface' is not supported yet",
        ])
    }

    /// UNIX socket servers: a path, `unix@`, `abns@`; no port.
    func testUnixSocketServers() {
        let (b, r) = backend("  server a /run/app.sock\n  server b unix@/run/b.sock\n  server c abns@app check\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.servers.map(\.unix), [.unix(path: "/run/app.sock"), .unix(path: "/run/b.sock"), .abstract(name: "app")])
        XCTAssertEqual(b?.servers.map(\.host), ["/run/app.sock", "unix@/run/b.sock", "abns@app"])
        XCTAssertEqual(b?.servers.map(\.port), [nil, nil, nil])
    }

    /// `send-proxy` / `send-proxy-v2` and their `no-` forms (default-server too).
    func testSendProxy() {
        let (b, r) = backend("""
          default-server send-proxy
          server a 10.0.0.1:80
          server b 10.0.0.2:80 send-proxy-v2
          server c 10.0.0.3:80 no-send-proxy
          server d 10.0.0.4:80 no-send-proxy-v2
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.servers.map(\.params.sendProxy), [1, 2, 0, 1])
        XCTAssertEqual(ServerParams().sendProxy, 0)
        let (o, ro) = backend("""
          server a 10.0.0.1:80 send-proxy-v2 proxy-v2-options crc32c,authority,unique-id
          server b 10.0.0.2:80 send-proxy-v2-ssl-cn
          server c 10.0.0.3:80 send-proxy-v2 proxy-v2-options ssl-cipher check-send-proxy
        """)
        XCTAssertEqual(ro.diagnostics, [])
        XCTAssertEqual(o?.servers.map(\.params.proxyV2Options), [[.crc32c, .authority, .uniqueID], [.ssl, .certCN], [.ssl, .sslCipher]])
        XCTAssertEqual(o?.servers.map(\.params.sendProxy), [2, 2, 2])
        XCTAssertEqual(o?.servers.map(\.params.checkSendProxy), [false, false, true])
        XCTAssertEqual(backend("  server a 10.0.0.1:80 proxy-v2-options cert-sig\n").1.alerts.map(\.message),
                       ["'proxy-v2-options cert-sig' is not supported yet"])
    }

    func testServerDefaultsMatchHAProxy() {
        let (b, _) = backend("  server a 10.0.0.1:80\n")
        XCTAssertEqual(b?.servers[0].params, ServerParams())
        XCTAssertEqual(ServerParams().weight, 1)
        XCTAssertEqual(ServerParams().inter, 2000)
    }

    func testDefaultServerAppliesToLaterServersOnly() {
        let (b, r) = backend("""
          server before 10.0.0.1:80
          default-server check weight 5 backup
          server after 10.0.0.2:80
          server override 10.0.0.3:80 no-check weight 9 no-backup enabled
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.servers.map(\.params.check), [false, true, false])
        XCTAssertEqual(b?.servers.map(\.params.weight), [1, 5, 9])
        XCTAssertEqual(b?.servers.map(\.params.backup), [false, true, false])
    }

    func testDefaultServerFromDefaultsSection() {
        let r = parse(tcpDefaults + "  default-server maxconn 10 fall 9\nbackend b\n  default-server rise 4\n  server s 127.0.0.1:1\n")
        XCTAssertEqual(r.diagnostics, [])
        let p = r.configuration.backends[0].servers[0].params
        XCTAssertEqual([p.maxconn, p.fall, p.rise], [10, 9, 4])
    }

    func testServerValueErrors() {
        func alert(_ params: String) -> Diagnostic? {
            let (_, r) = backend("  server s 10.0.0.1:80 \(params)\n")
            XCTAssertEqual(r.alerts.count, 1, params)
            return r.alerts.first
        }
        XCTAssertEqual(alert("weight 257")?.message, "weight 257 is not within 0 and 256")
        XCTAssertEqual(alert("weight 257")?.location?.column, 31)
        XCTAssertEqual(alert("weight -1")?.message, "'weight' expects an integer argument (got '-1')")
        XCTAssertEqual(alert("rise 0")?.message, "'rise' has to be > 0")
        XCTAssertEqual(alert("fall 0")?.message, "'fall' has to be > 0")
        XCTAssertEqual(alert("port 0")?.message, "port 0 in 'port' is out of range 1-65535")
        XCTAssertEqual(alert("port 65536")?.message, "port 65536 in 'port' is out of range 1-65535")
        XCTAssertEqual(alert("maxconn x")?.message, "'maxconn' expects an integer argument (got 'x')")
        XCTAssertEqual(alert("inter 0")?.message, "'inter' has to be > 0")
        XCTAssertEqual(alert("inter 2x")?.message, "unexpected character 'x' in 'inter': valid time units are us, ms, s, m, h, d")
        XCTAssertEqual(alert("fall")?.message, "'fall' expects an argument")
        XCTAssertEqual(alert("addr unix@/x")?.message, "'addr' expects an IPv4 or IPv6 address (got 'unix@/x')")
    }

    func testServerAddressErrors() {
        func alert(_ line: String) -> String? {
            let (_, r) = backend(line + "\n")
            XCTAssertEqual(r.alerts.count, 1, line)
            return r.alerts.first?.message
        }
        XCTAssertEqual(alert("  server s 10.0.0.1:0"), "port 0 in 'server' is out of range 1-65535")
        XCTAssertEqual(alert("  server s 10.0.0.1:+1"), "relative server ports ('+1') are not supported yet (in section 'backend')")
        XCTAssertEqual(alert("  server s abns@"), "invalid abstract socket name in 'abns@'")
        XCTAssertEqual(alert("  server s :80"), "missing address in ':80'")
        XCTAssertEqual(alert("  server s"), "'server' expects <name> and <addr>[:<port>] as arguments")
        XCTAssertEqual(alert("  server s/1 10.0.0.1"), "character '/' is not permitted in server name 's/1'")
    }

    func testUnsupportedAndUnknownServerOptions() {
        let (_, r) = backend("  server s 10.0.0.1:80 check log-proto legacy ssl verify none\n  server t 10.0.0.2:80 wieght 3 check\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "server option 'log-proto' is not supported yet (in section 'backend')",
            "unknown server option 'wieght' in 'backend' section; did you mean 'weight'?",
            "'ssl' is parsed but TLS is not supported yet (the workers do not serve it)",
            "'verify' is parsed but TLS is not supported yet (the workers do not serve it)",
        ])
        XCTAssertEqual(r.configuration.backends[0].servers, [], "servers with errors are not kept")
    }

    func testDuplicateServerNames() {
        let (_, r) = backend("  server s 10.0.0.1:80\n  server s 10.0.0.2:80\n")
        assertSingleAlert(r, "backend 'b' has two servers named 's' (the first one at t.cfg:8:3)", line: 9, column: 3)
    }

    func testServerInFrontendIsAnError() {
        assertSingleAlert(parse(tcpDefaults + "frontend f\n  bind :1\n  server s 10.0.0.1:80\n"),
                          "'server' not allowed because frontend 'f' has no backend capability", line: 9, column: 3)
    }

    func testBalanceAlgorithms() {
        let cases: [(String, BalanceAlgorithm)] = [
            ("roundrobin", .roundRobin), ("static-rr", .staticRoundRobin), ("leastconn", .leastConn),
            ("first", .first), ("source", .source), ("random", .random(draws: 2)), ("random(5)", .random(draws: 5)),
        ]
        for (text, expected) in cases {
            let (b, r) = backend("  balance \(text)\n")
            XCTAssertEqual(r.diagnostics, [], text)
            XCTAssertEqual(b?.balance, expected, text)
        }
    }

    func testBalanceErrors() {
        func alert(_ text: String) -> Diagnostic? {
            let (_, r) = backend("  balance \(text)\n")
            XCTAssertEqual(r.alerts.count, 1, text)
            return r.alerts.first
        }
        XCTAssertEqual(alert("roundrobbin")?.message, "unknown balance algorithm 'roundrobbin'; did you mean 'roundrobin'?")
        XCTAssertEqual(alert("roundrobbin")?.location?.column, 11)
        XCTAssertEqual(alert("weird")?.message, "unknown balance algorithm 'weird'")
        XCTAssertEqual(alert("rdp-cookie")?.message, "balance algorithm 'rdp-cookie' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("hash req.cookie(x)")?.message, "balance algorithm 'hash' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("random(0)")?.message, "'balance random(<draws>)' expects a positive integer (got '0')")
        XCTAssertEqual(alert("leastconn(2)")?.message, "balance algorithm 'leastconn' takes no argument")
        XCTAssertEqual(alert("source extra")?.message, "unexpected argument 'extra' for 'balance source'")
        XCTAssertEqual(parse(tcpDefaults + "backend b\n  balance\n").alerts.first?.message, "'balance' expects an algorithm name")
    }

    func testBalanceInFrontendIsIgnoredWithWarning() {
        let r = parse(tcpDefaults + "frontend f\n  bind :1\n  balance source\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertTrue(r.warnings.contains { $0.message == "'balance' ignored because frontend 'f' has no backend capability" })
    }

    func testHashType() {
        let (b1, r1) = backend("  hash-type consistent\n")
        XCTAssertEqual(r1.diagnostics, [])
        XCTAssertEqual(b1?.hashType.method, .consistent)
        XCTAssertEqual(b1?.hashType.function, .sdbm)
        XCTAssertEqual(b1?.hashType.avalanche, true, "HAProxy: consistent without a function is sdbm + avalanche")
        XCTAssertEqual(backend("  hash-type consistent sdbm\n").0?.hashType.avalanche, false)
        XCTAssertEqual(backend("  hash-type map-based\n").0?.hashType.avalanche, false)
        let (b2, _) = backend("  hash-type map-based crc32\n")
        XCTAssertEqual(b2?.hashType.function, .crc32)
        let (b3, _) = backend("  hash-type map-based avalanche\n")
        XCTAssertEqual(b3?.hashType.avalanche, true)
        let (b4, _) = backend("  hash-type consistent wt6 avalanche\n")
        XCTAssertEqual(b4?.hashType.function, .wt6)
        XCTAssertEqual(backend("  hash-type consistant\n").1.alerts.first?.message,
                       "unknown hash-type method 'consistant'; expected 'map-based' or 'consistent'; did you mean 'consistent'?")
        XCTAssertEqual(backend("  hash-type consistent md5\n").1.alerts.first?.message,
                       "unknown hash function 'md5'; expected 'sdbm', 'djb2', 'wt6' or 'crc32'")
        XCTAssertEqual(backend("  hash-type consistent sdbm fast\n").1.alerts.first?.message,
                       "unknown hash modifier 'fast'; expected 'avalanche'")
    }
}
