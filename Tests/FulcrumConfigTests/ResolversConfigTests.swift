import XCTest
import FulcrumBytes
@testable import FulcrumConfig

/// `resolvers` sections, server resolution options and `server-template`,
/// with haproxy 2.6's messages (each checked against `haproxy -c`).
final class ResolversConfigTests: XCTestCase {
    func testSectionSettingsAndDefaults() throws {
        let r = parse("""
        resolvers dns
            nameserver ns1 127.0.0.53:5353
            nameserver ns2 udp@[::1]:53
            nameserver ns3 tcp@127.0.0.1:53
            parse-resolv-conf
            accepted_payload_size 8192
            resolve_retries 5
            timeout resolve 2s
            timeout retry 300ms
            hold valid 1s
            hold nx 2s
            hold obsolete 5s
        resolvers other
            nameserver a 10.0.0.1:53

        """ + tcpDefaults)
        XCTAssertEqual(r.alerts, [])
        let s = try XCTUnwrap(r.configuration.resolvers.first)
        XCTAssertEqual(s.name, "dns")
        XCTAssertEqual(s.nameservers.map(\.name), ["ns1", "ns2", "ns3"])
        XCTAssertEqual(s.nameservers.map(\.transport), [.udp, .udp, .tcp])
        XCTAssertEqual(s.nameservers[0].address, IPAddress("127.0.0.53"))
        XCTAssertEqual(s.nameservers[0].port, 5353)
        XCTAssertEqual(s.nameservers[1].address, IPAddress("::1"))
        XCTAssertTrue(s.parseResolvConf)
        XCTAssertEqual(s.acceptedPayloadSize, 8192)
        XCTAssertEqual(s.resolveRetries, 5)
        XCTAssertEqual(s.timeoutResolve, 2000)
        XCTAssertEqual(s.timeoutRetry, 300)
        XCTAssertEqual(s.hold.valid, 1000)
        XCTAssertEqual(s.hold.nx, 2000)
        XCTAssertEqual(s.hold.obsolete, 5000)
        XCTAssertEqual(s.hold.other, 30_000)
        XCTAssertEqual(r.configuration.resolvers.last?.hold.valid, 10_000)
    }

    func testSectionErrors() {
        let cases: [(String, String)] = [
            ("resolvers", "missing name for resolvers section."),
            ("resolvers d\n nameserver", "'nameserver' expects <name> and <addr>[:<port>] as arguments."),
            ("resolvers d\n nameserver n1 127.0.0.1", "'nameserver n1' : missing port specification in '127.0.0.1'"),
            ("resolvers d\n nameserver n1 127.0.0.1:0", "'nameserver n1' : invalid port '0'"),
            ("resolvers d\n nameserver n2 bad:xx", "'nameserver n2' : invalid address: 'bad' in 'bad:xx'"),
            ("resolvers d\n nameserver n3 name.invalid:53", "'nameserver n3' : invalid address: 'name.invalid' in 'name.invalid:53'"),
            ("resolvers d\n accepted_payload_size 70000", "'accepted_payload_size' must be between 12 and 65535 inclusive (was 70000)."),
            ("resolvers d\n accepted_payload_size", "'accepted_payload_size' expects <nb> as argument."),
            ("resolvers d\n resolve_retries", "'resolve_retries' expects <nb> as argument."),
            ("resolvers d\n timeout foo 1s", "'timeout' expects 'retry' or 'resolve' and <time> as arguments got 'foo'."),
            ("resolvers d\n timeout retry", "'timeout retry' expects <time> as argument."),
            ("resolvers d\n timeout resolve x", "unexpected character 'x' in argument to <timeout resolve>."),
            ("resolvers d\n hold bad 1s", "'hold' unknown <event>: 'bad', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'."),
            ("resolvers d\n hold nx x", "unexpected character 'x' in argument to <hold>."),
            ("resolvers d\n bogus", "unknown keyword 'bogus' in 'resolvers' section"),
        ]
        for (text, message) in cases {
            let r = parse(text + "\n" + tcpDefaults)
            XCTAssertEqual(r.alerts.first?.message, message, text)
            XCTAssertEqual(r.alerts.first?.location?.line, text.contains("\n") ? 2 : 1, text)
        }
        let dup = parse("resolvers d\n nameserver n 1.1.1.1:53\n nameserver n 1.1.1.2:53\nresolvers d\n" + tcpDefaults)
        XCTAssertEqual(dup.alerts.map(\.message), [
            "nameserver 'n' has same name as another nameserver (declared at t.cfg:2).",
            "resolvers 'd' has same name as another resolvers (declared at t.cfg:1).",
        ])
        let empty = parse("resolvers d\n" + tcpDefaults)
        XCTAssertEqual(empty.warnings.map(\.message), ["resolvers 'd' [t.cfg:1] has no nameservers configured!"])
    }

    func testServerOptions() throws {
        let r = parse("""
        resolvers dns
            nameserver ns1 127.0.0.53:53
        \(tcpDefaults)
        backend b
            default-server init-addr last,libc,none resolvers dns
            server s1 app.test:80 resolve-prefer ipv4 resolve-opts allow-dup-ip,ignore-weight resolve-net 10.0.0.0/8,192.168.1.1
            server s2 app.test:80 init-addr 10.1.2.3

        """)
        XCTAssertEqual(r.alerts, [])
        let servers = try XCTUnwrap(r.configuration.backend(named: "b")).servers
        let a = servers[0].params.resolution, b = servers[1].params.resolution
        XCTAssertEqual(a.resolvers, "dns")
        XCTAssertEqual(a.prefer, .ipv4)
        XCTAssertTrue(a.allowDuplicateIP)
        XCTAssertTrue(a.ignoreWeight)
        XCTAssertEqual(a.networks.map(\.description), ["10.0.0.0/8", "192.168.1.1/32"])
        XCTAssertEqual(a.initAddr, [.last, .libc, .none])
        XCTAssertEqual(b.prefer, .ipv6)
        XCTAssertEqual(b.initAddr, [.address(IPAddress("10.1.2.3")!)])
    }

    func testServerOptionErrors() {
        let cases: [(String, String)] = [
            ("init-addr bogus", "'init-addr' : unknown init-addr method 'bogus', supported methods are 'libc', 'last', 'none'.."),
            ("init-addr 1.2.3.4,5.6.7.8", "'init-addr' : initial address already specified, cannot add '5.6.7.8'.."),
            ("resolve-prefer ipv5", "'resolve-prefer' expects either ipv4 or ipv6 as argument.."),
            ("resolve-opts foo", "'resolve-opts' : unknown resolve-opts option 'foo', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.."),
            ("resolve-net 10.0.0.0/8,bad", "'resolve-net' invalid network 'bad'.."),
            ("resolvers nope", "proxy 'b', server 's': unable to find required resolvers 'nope'"),
        ]
        for (options, message) in cases {
            let r = parse(tcpDefaults + "backend b\n    server s 127.0.0.1:80 \(options)\n")
            XCTAssertEqual(r.alerts.map(\.message), [message], options)
        }
    }

    func testServerTemplate() throws {
        let r = parse(tcpDefaults + """
        backend b
            server-template web 3 app.test:8080 init-addr none
            server-template api 5-6 api.test init-addr none weight 7

        """)
        XCTAssertEqual(r.alerts, [])
        let servers = try XCTUnwrap(r.configuration.backend(named: "b")).servers
        XCTAssertEqual(servers.map(\.name), ["web1", "web2", "web3", "api5", "api6"])
        XCTAssertEqual(servers.map(\.id), [1, 2, 3, 4, 5])
        XCTAssertEqual(servers[0].host, "app.test")
        XCTAssertEqual(servers[0].port, 8080)
        XCTAssertNil(servers[3].port)
        XCTAssertEqual(servers[4].params.weight, 7)
        XCTAssertEqual(servers[4].params.resolution.initAddr, [.none])
        for (arg, message) in [("0", "Wrong server-template number or range arg '0'."),
                               ("5-3", "Wrong server-template number or range arg '5-3'."),
                               ("x", "Wrong server-template number or range arg 'x'.")] {
            let bad = parse(tcpDefaults + "backend b\n    server-template web \(arg) app.test:80 init-addr none\n")
            assertSingleAlert(bad, message, line: 8, column: 5)
        }
        let short = parse(tcpDefaults + "backend b\n    server-template web 2\n")
        assertSingleAlert(short, "'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.", line: 8, column: 5)
    }
}
