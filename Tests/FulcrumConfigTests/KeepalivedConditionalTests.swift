import XCTest
import FulcrumBytes
@testable import FulcrumConfig

private func parse(_ text: String, id: String?) -> ParseResult {
    var env: [String: String] = [:]
    if let id { env[KeepalivedParser.configIDVariable] = id }
    return ConfigParser.parse([ConfigSource(name: "keepalived.conf", text: text)], environment: env)
}

/// `@ID` / `@^ID` lines chosen by the config id (`-i`), keepalived 2.2.8's
/// "primary" keyword aliases, and default_interface.
final class KeepalivedConditionalTests: XCTestCase {
    private let conditional = """
        vrrp_instance VI_0 {
        @high   state MASTER
            interface eth0
            virtual_router_id 1
        @high   priority 170
        @low    priority 85
        @^high  advert_int 3
            virtual_ipaddress {
        @high       10.1.0.254/32
        @low        10.1.0.253/32
        @^low       10.1.0.252/32
            }
        @low
        @high   prority 1
        }

        """

    func testLinesChosenByTheConfigID() throws {
        let high = parse(conditional, id: "high")
        XCTAssertEqual(high.alerts.map(\.description), [
            "[ALERT] keepalived.conf:14:9: unknown keyword 'prority' in vrrp_instance 'VI_0'; did you mean 'priority'?",
        ], "an @ID line keeps its columns")
        let h = try XCTUnwrap(high.configuration.vrrp.instances.first)
        XCTAssertEqual(h.state, .master)
        XCTAssertEqual(h.priority, 170)
        XCTAssertEqual(h.advertInterval, 100)
        XCTAssertEqual(h.virtualAddresses.map { $0.address.description }, ["10.1.0.254", "10.1.0.252"])

        let low = parse(conditional, id: "low")
        XCTAssertEqual(low.alerts, [])
        let l = try XCTUnwrap(low.configuration.vrrp.instances.first)
        XCTAssertEqual(l.state, .backup)
        XCTAssertEqual(l.priority, 85)
        XCTAssertEqual(l.advertInterval, 300)
        XCTAssertEqual(l.virtualAddresses.map { $0.address.description }, ["10.1.0.253"])

        let none = parse(conditional, id: nil)
        let n = try XCTUnwrap(none.configuration.vrrp.instances.first)
        XCTAssertEqual(n.priority, 100)
        XCTAssertEqual(n.virtualAddresses.map { $0.address.description }, ["10.1.0.252"])
    }

    func testAFileStartingWithAConditionalLineIsKeepalived() {
        XCTAssertTrue(KeepalivedParser.isKeepalivedSource("@high net_namespace high\nvrrp_instance X {\n}\n"))
    }

    func testScriptWithoutCommandIsRemovedAndItsTrackingIgnored() {
        let r = parse("""
            vrrp_script chk {
            @high script /bin/true
                interval 1
            }
            vrrp_instance VI_0 {
                interface eth0
                virtual_router_id 1
                track_script {
                    chk
                }
                virtual_ipaddress {
                    10.1.0.254
                }
            }

            """, id: "low")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] keepalived.conf:1:1: No script set for vrrp_script chk - removing",
            "[WARNING] keepalived.conf:9:9: (VI_0) track script chk not found, ignoring...",
        ])
        XCTAssertEqual(r.configuration.vrrp.instances.first?.trackScripts, [])
    }

    func testPrimaryAliasesAndDefaultInterface() throws {
        let r = parse("""
            global_defs {
                default_interface eth7
                vrrp_garp_primary_delay 3
                vrrp_garp_primary_refresh 20
            }
            vrrp_sync_group G {
                group {
                    VI_1
                }
                notify_primary /bin/group-master
            }
            vrrp_instance VI_1 {
                virtual_router_id 1
                notify_primary /bin/master
                notify_primary_rx_lower_pri /bin/lower
                garp_primary_repeat 2
                virtual_ipaddress {
                    10.1.0.254
                }
            }

            """, id: nil)
        XCTAssertEqual(r.alerts, [])
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertEqual(v.interface, "eth7")
        XCTAssertEqual(v.notify.master?.arguments, ["/bin/master"])
        XCTAssertEqual(v.notify.masterReceivedLowerPriority?.arguments, ["/bin/lower"])
        XCTAssertEqual([v.garpMasterDelay, v.garpMasterRepeat, v.garpMasterRefresh], [3, 2, 20])
        XCTAssertEqual(r.configuration.vrrp.syncGroups.first?.notify.master?.arguments, ["/bin/group-master"])
    }
}
