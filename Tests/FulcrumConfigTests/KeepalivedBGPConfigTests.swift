import XCTest
@testable import FulcrumConfig

/// `bgp_defs` and `bgp_instance` blocks: the VIPs announced through BIRD and
/// what decides it, in a Fulcrum file next to its proxies.
final class KeepalivedBGPConfigTests: XCTestCase {
    private let proxies = tcpDefaults + """
        frontend www
            bind :80
            default_backend web
        backend web
            server s1 127.0.0.1:8080

        vrrp_script chk_web {
            script "/bin/true"
        }

        """

    func testCompleteBlocks() {
        let result = parse(proxies + """
            bgp_defs {
                bird_socket /run/bird/node1.ctl
                bird_include /etc/bird/vips.conf
                bird_protocol lb_vips
                vip_interface lb0
                bird_retry 0.5
            }
            bgp_instance web {
                virtual_ipaddress {
                    192.0.2.10
                    198.51.100.0/24
                }
                track_backend {
                    web
                }
                track_frontend www
                track_script {
                    chk_web
                }
                track_interface {
                    eth0
                }
                interval 0.2
                rise 4
                fall 1
                hold_down 30
                drain_time 2.5
            }
            """)
        XCTAssertEqual(result.alerts, [])
        let bgp = result.configuration.bgp
        XCTAssertEqual(bgp.definitions.birdSocket, "/run/bird/node1.ctl")
        XCTAssertEqual(bgp.definitions.birdInclude, "/etc/bird/vips.conf")
        XCTAssertEqual(bgp.definitions.birdProtocol, "lb_vips")
        XCTAssertEqual(bgp.definitions.vipInterface, "lb0")
        XCTAssertEqual(bgp.definitions.birdRetry, 500)
        let web = bgp.instance(named: "web")
        XCTAssertEqual(web?.virtualAddresses.map { "\($0.address)/\($0.prefixLength)" }, ["192.0.2.10/32", "198.51.100.0/24"])
        XCTAssertEqual(web?.trackBackends.map(\.name), ["web"])
        XCTAssertEqual(web?.trackFrontends.map(\.name), ["www"])
        XCTAssertEqual(web?.trackScripts.map(\.name), ["chk_web"])
        XCTAssertEqual(web?.trackInterfaces.map(\.name), ["eth0"])
        XCTAssertEqual([web?.interval, web?.holdDown, web?.drainTime], [200, 30_000, 2500])
        XCTAssertEqual([web?.rise, web?.fall], [4, 1])
        XCTAssertTrue(result.configuration.hasListener)
    }

    func testDefaults() {
        let result = parse(proxies + "bgp_instance web {\n    virtual_ipaddress {\n        192.0.2.10\n    }\n}\n")
        XCTAssertEqual(result.alerts, [])
        let d = result.configuration.bgp.definitions
        XCTAssertEqual([d.birdSocket, d.birdInclude, d.birdProtocol, d.vipInterface],
                       ["/run/bird/bird.ctl", "/etc/bird/fulcrum-vips.conf", "fulcrum_vips", "fulcrum-vip"])
        let web = result.configuration.bgp.instances.first
        XCTAssertEqual([web?.interval, web?.holdDown, web?.drainTime], [1000, 10_000, 5000])
        XCTAssertEqual([web?.rise, web?.fall], [3, 2])
    }

    /// Every mistake is an alert at its word: file, line and column.
    func testMistakesAreRefusedAtTheirWord() {
        func alert(_ body: String, defs: String = "") -> Diagnostic? {
            let text = proxies + defs + "bgp_instance web {\n    virtual_ipaddress {\n        192.0.2.10\n    }\n" + body + "}\n"
            let result = parse(text)
            XCTAssertEqual(result.alerts.count, 1, "\(body)\(defs): \(result.alerts)")
            return result.alerts.first
        }
        let base = proxies.split(separator: "\n", omittingEmptySubsequences: false).count
        let unknown = alert("    hold_dwon 3\n")
        XCTAssertEqual(unknown?.message, "unknown keyword 'hold_dwon' in bgp_instance 'web'; did you mean 'hold_down'?")
        XCTAssertEqual(unknown?.location, SourceLocation(file: "t.cfg", line: base + 4, column: 5))
        XCTAssertEqual(alert("    track_backend {\n        wbe\n    }\n")?.message,
                       "(web) track_backend wbe: no backend with that name in the proxy configuration; did you mean 'web'?")
        XCTAssertEqual(alert("    track_frontend ww\n")?.message,
                       "(web) track_frontend ww: no frontend with that name in the proxy configuration; did you mean 'www'?")
        XCTAssertEqual(alert("    track_script {\n        chk_wbe\n    }\n")?.message,
                       "(web) track_script chk_wbe not found (no vrrp_script with that name); did you mean 'chk_web'?")
        XCTAssertEqual(alert("    track_backend {\n        web weight 10\n    }\n")?.message,
                       "(web) 'weight' after track_backend web: a BGP instance has no weight (a route is announced or not)")
        XCTAssertEqual(alert("    rise 0\n")?.message, "(web) rise '0' not valid - must be between 1 & 1000")
        XCTAssertEqual(alert("    drain_time soon\n")?.message, "'drain_time' soon not valid - must be seconds (at most 3 decimals), at least 0")
        let badDefs = alert("", defs: "bgp_defs {\n    bird_sockett /run/bird/bird.ctl\n}\n")
        XCTAssertEqual(badDefs?.message, "unknown keyword 'bird_sockett' in bgp_defs; did you mean 'bird_socket'?")
        XCTAssertEqual(badDefs?.location, SourceLocation(file: "t.cfg", line: base + 1, column: 5))
        XCTAssertEqual(alert("", defs: "bgp_defs {\n    bird_include vips.conf\n}\n")?.message,
                       "'bird_include' expects an absolute path, not 'vips.conf'")
        XCTAssertEqual(alert("", defs: "bgp_defs {\n    bird_protocol 1vips\n}\n")?.message,
                       "bird_protocol '1vips' is not a BIRD symbol (letters, digits and '_', not starting with a digit)")
        XCTAssertEqual(alert("", defs: "bgp_defs {\n    vip_interface a/b\n}\n")?.message,
                       "invalid vip_interface 'a/b' (an interface name of at most 15 bytes)")
    }

    func testVirtualAddressesAreIPv4AndOwnedOnce() {
        let v6 = parse(proxies + "bgp_instance web {\n    virtual_ipaddress {\n        2001:db8::1\n    }\n}\n")
        XCTAssertEqual(v6.alerts.map(\.message), [
            "(web) IPv6 virtual address '2001:db8::1' is not supported: Fulcrum announces IPv4 VIPs",
            "(web) bgp_instance has no virtual_ipaddress",
        ])
        let dev = parse(proxies + "bgp_instance web {\n    virtual_ipaddress {\n        192.0.2.10 dev eth0\n    }\n}\n")
        XCTAssertEqual(dev.alerts.map(\.message), ["(web) unexpected argument 'dev' after the BGP virtual address (it goes on bgp_defs vip_interface)",
                                                   "(web) unexpected argument 'eth0' after the BGP virtual address (it goes on bgp_defs vip_interface)"])
        let twice = parse(proxies + """
            bgp_instance a {
                virtual_ipaddress {
                    192.0.2.10
                }
            }
            bgp_instance b {
                virtual_ipaddress {
                    192.0.2.10/32
                }
            }
            bgp_instance a {
                virtual_ipaddress {
                    192.0.2.11
                }
            }

            """)
        XCTAssertEqual(twice.alerts.map(\.message).sorted(), [
            "(b) virtual address 192.0.2.10/32 is already announced by bgp_instance a",
            "bgp_instance a already defined at t.cfg:\(proxies.split(separator: "\n", omittingEmptySubsequences: false).count):1",
        ])
    }

    /// A whole keepalived file may hold BGP blocks (no proxy: tracking a backend is refused).
    func testKeepalivedFileWithoutProxies() {
        let result = parse("bgp_instance web {\n    virtual_ipaddress {\n        192.0.2.10\n    }\n    track_backend {\n        web\n    }\n}\n", file: "keepalived.conf")
        XCTAssertEqual(result.alerts.map(\.message), ["(web) track_backend web: the configuration has no proxy sections"])
        XCTAssertEqual(result.alerts.first?.location?.line, 6)
    }
}
