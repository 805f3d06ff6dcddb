import XCTest
import FulcrumBytes
@testable import FulcrumConfig

private func parse(_ text: String) -> ParseResult { parse(text, file: "keepalived.conf") }

/// static_ipaddress, static_routes / virtual_routes, static_rules /
/// virtual_rules: what keepalived 2.2.7 accepts, its defaults and warnings,
/// and errors at file:line:column for what Fulcrum does not install.
final class KeepalivedRoutesTests: XCTestCase {
    func testRoutesWithEveryServedOption() throws {
        let r = parse("""
            static_routes {
                src 192.168.100.1 192.168.209.0/24 via 192.168.200.254 dev eth0
                192.168.212.0/24 dev eth3 scope site table 100 metric 5 proto static
                blackhole 10.1.0.0/16 table main
                unreachable default table 200 preference 7
                to 10.2.0.0/16 nexthop via 10.0.0.1 dev eth0 weight 2 nexthop via 10.0.0.2 onlink
                10.3.0.0/16 gw 10.0.0.9 mtu 1400 advmss 1360 tos 0x10 no_track
            }

            """ + keepalivedInstance("""
                virtual_routes {
                    192.168.113.0/24 via 192.168.100.252 or 192.168.100.253
                    throw 10.4.0.0/16 table 300
                }
            """))
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] keepalived.conf:7:17: \"gw\" for routes is deprecated. Please use \"via\"",
            "[WARNING] keepalived.conf:16:46: \"or\" for routes is deprecated. Please use \"nexthop\"",
        ])
        let s = r.configuration.vrrp.statics.routes
        XCTAssertEqual(s.count, 6)
        XCTAssertEqual(s[0].source, IPv4Address(192, 168, 100, 1))
        XCTAssertEqual(s[0].destination, IPv4Address(192, 168, 209, 0))
        XCTAssertEqual(s[0].prefixLength, 24)
        XCTAssertEqual(s[0].gateway, IPv4Address(192, 168, 200, 254))
        XCTAssertEqual(s[0].device, "eth0")
        XCTAssertEqual([s[0].table, UInt32(s[0].proto)], [254, 18])
        XCTAssertEqual(s[1].scope, 200)
        XCTAssertEqual([s[1].table, s[1].metric, UInt32(s[1].proto)], [100, 5, 4])
        XCTAssertEqual(s[2].type, .blackhole)
        XCTAssertEqual(s[2].table, 254)
        XCTAssertEqual([s[3].type.rawValue, "\(s[3].prefixLength)", "\(s[3].table)", "\(s[3].metric!)"], ["unreachable", "0", "200", "7"])
        XCTAssertEqual(s[4].nextHops.count, 2)
        XCTAssertEqual(s[4].nextHops[0].weight, 2)
        XCTAssertEqual(s[4].nextHops[1].gateway, IPv4Address(10, 0, 0, 2))
        XCTAssertTrue(s[4].nextHops[1].onlink)
        XCTAssertEqual([s[5].mtu, s[5].advmss], [1400, 1360])
        XCTAssertEqual(s[5].tos, 0x10)
        XCTAssertTrue(s[5].noTrack)
        let v = r.configuration.vrrp.instances[0].virtualRoutes
        XCTAssertEqual(v[0].nextHops.map(\.gateway), [IPv4Address(192, 168, 100, 252), IPv4Address(192, 168, 100, 253)])
        XCTAssertEqual(v[1].type, .throw)
        XCTAssertEqual(v[1].table, 300)
    }

    func testRouteErrorsAtTheirWord() {
        let r = parse("""
            static_routes {
                10.0.0.0/8 via 10.1.1.1 realms 4
                10.0.0.0/8 via 10.1.1.1 metrc 4
                2001:db8::/32 dev eth0
                10.0.0.0/33 dev eth0
                10.0.0.0/8 table
                dev eth0
            }

            """)
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:2:29: keepalived route option 'realms' is not supported",
            "[ALERT] keepalived.conf:3:29: unknown route option 'metrc'; did you mean 'metric'?",
            "[ALERT] keepalived.conf:4:5: IPv6 route '2001:db8::/32' is not supported: Fulcrum's VRRP is IPv4",
            "[ALERT] keepalived.conf:5:5: invalid route destination '10.0.0.0/33'",
            "[ALERT] keepalived.conf:6:16: route option 'table' expects a value",
            "[ALERT] keepalived.conf:7:5: route has no destination",
        ])
    }

    func testRulesWithKeepalivedsDefaultPreferences() {
        let r = parse("""
            static_rules {
                from 192.168.100.0/24 table 1
                to 192.168.100./24 table 1
                from 10.0.0.0/8 to 10.9.0.0/16 iif eth0 oif eth1 fwmark 0x10/0xff tos 4 priority 100 table 7
                not from 10.5.0.0/16 prohibit preference 50
                fwmark 3 goto 100 prio 40
                from 0.0.0.0/0 suppress_prefixlength 0 lookup main priority 30
            }

            """ + keepalivedInstance("""
                virtual_rules {
                    from 192.168.200.0/24 table 2
                }
            """))
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] keepalived.conf:2:5: Rule has no preference specified - setting to 16384. This is probably not what you want.",
            "[WARNING] keepalived.conf:3:8: Invalid rule to address 192.168.100./24 - skipping this rule (as keepalived)",
            "[WARNING] keepalived.conf:16:9: Rule has no preference specified - setting to 16383. This is probably not what you want.",
        ])
        let s = r.configuration.vrrp.statics.rules
        XCTAssertEqual(s.count, 5)
        XCTAssertEqual(s[0].from?.address, IPv4Address(192, 168, 100, 0))
        XCTAssertEqual(s[0].action, .table(1))
        XCTAssertEqual(s[0].priority, 16384)
        XCTAssertEqual(s[1].to?.prefixLength, 16)
        XCTAssertEqual([s[1].inputInterface, s[1].outputInterface], ["eth0", "eth1"])
        XCTAssertEqual([s[1].fwmark, s[1].fwmask, s[1].priority], [0x10, 0xff, 100])
        XCTAssertEqual(s[1].tos, 4)
        XCTAssertTrue(s[2].invert)
        XCTAssertEqual(s[2].action, .prohibit)
        XCTAssertEqual(s[3].action, .goto(100))
        XCTAssertEqual(s[4].suppressPrefixLength, 0)
        XCTAssertEqual(s[4].action, .table(254))
        XCTAssertEqual(r.configuration.vrrp.instances[0].virtualRules.map(\.priority), [16383])
    }

    func testRuleErrors() {
        let r = parse("""
            static_rules {
                from 10.0.0.0/8 uidrange 1-10 table 3
                from 10.0.0.0/8 tabel 3
                from 2001:db8::/32 table 3
            }

            """)
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:2:21: keepalived rule option 'uidrange' is not supported",
            "[ALERT] keepalived.conf:3:21: unknown rule option 'tabel'; did you mean 'table'?",
            "[ALERT] keepalived.conf:4:10: IPv6 rule address '2001:db8::/32' is not supported: Fulcrum's VRRP is IPv4",
        ])
    }

    /// Found by the keepalived-config fuzz target: `fwmark /` split into no
    /// part at all and trapped; a missing half of N/MASK is an error.
    func testFwmarkWithoutMarkOrMaskIsAnErrorNotATrap() {
        let r = parse("""
            static_rules {
                fwmark / table 3
                fwmark 0x10/ table 3
                fwmark /0xff table 3
            }

            """)
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:2:12: invalid fwmark '/' (N or N/MASK, decimal or 0x hexadecimal)",
            "[ALERT] keepalived.conf:3:12: invalid fwmark '0x10/' (N or N/MASK, decimal or 0x hexadecimal)",
            "[ALERT] keepalived.conf:4:12: invalid fwmark '/0xff' (N or N/MASK, decimal or 0x hexadecimal)",
        ])
    }

    func testStaticAddresses() throws {
        let r = parse("""
            static_ipaddress {
                192.168.200.16 dev eth0 scope link
                192.168.200.18/24 dev eth2 label eth2:1
                192.168.200.19 dev eth2 nodad
                192.168.200.20
            }

            """)
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:4:29: keepalived keyword 'nodad' is not supported (in virtual address '192.168.200.19')",
            "[ALERT] keepalived.conf:5:5: static_ipaddress 192.168.200.20 needs 'dev IF' (or a global_defs default_interface)",
        ])
        let a = r.configuration.vrrp.statics.addresses
        XCTAssertEqual(a.map { $0.address.description }, ["192.168.200.16", "192.168.200.18", "192.168.200.20"])
        XCTAssertEqual(a[0].scope, 253)
        XCTAssertEqual(a[1].prefixLength, 24)
        XCTAssertEqual(a[1].label, "eth2:1")
        let defaulted = parse("global_defs {\n default_interface eth5\n}\nstatic_ipaddress {\n 10.0.0.1\n}\n")
        XCTAssertEqual(defaulted.alerts, [])
        XCTAssertEqual(defaulted.configuration.vrrp.statics.addresses.first?.device, "eth5")
    }
}
