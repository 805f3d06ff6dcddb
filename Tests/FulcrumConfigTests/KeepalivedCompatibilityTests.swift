import XCTest
@testable import FulcrumConfig

/// An instance with the settings each test adds: with a one-line `global`, `body` starts on line 10.
private func conf(global: String = "", _ body: String) -> ParseResult {
    let text = "global_defs {\n\(global)\n}\n" + keepalivedInstance(body)
    return ConfigParser.parse([ConfigSource(name: "keepalived.conf", text: text)], environment: [:])
}

/// The global_defs keywords and instance keywords of the keepalived.conf files
/// distributions and blog posts ship, with keepalived 2.2.7's defaults,
/// fallbacks and strict-mode rules.
final class KeepalivedCompatibilityTests: XCTestCase {
    func testDefaultsWhenNothingIsWritten() throws {
        let r = conf("")
        XCTAssertEqual(r.diagnostics, [])
        let g = r.configuration.vrrp.globalDefinitions
        XCTAssertFalse(g.strict)
        XCTAssertFalse(g.skipCheckAdvertAddresses)
        XCTAssertFalse(g.checkUnicastSource)
        XCTAssertEqual(g.garpInterval, 0)
        XCTAssertEqual(g.garpMasterRefreshRepeat, 1)
        XCTAssertNil(g.garpLowerPriorityRepeat)
        XCTAssertNil(g.garpLowerPriorityDelay)
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertFalse(v.strict)
        XCTAssertFalse(v.skipCheckAdvertAddresses)
        XCTAssertFalse(v.checkUnicastSource)
        XCTAssertFalse(v.dontTrackPrimary)
        XCTAssertEqual(v.garpMasterRefreshRepeat, 1)
        // Lower-priority GARPs default to the master GARP repeat and delay.
        XCTAssertEqual([v.garpLowerPriorityRepeat, v.garpLowerPriorityDelay], [5, 5])
    }

    func testGlobalValuesAndInstanceFallbacks() throws {
        let global = """
              vrrp_skip_check_adv_addr
              vrrp_check_unicast_src
              vrrp_garp_interval 0.001
              vrrp_gna_interval 2.5
              vrrp_garp_master_refresh_repeat 2
              vrrp_garp_master_repeat 3
              vrrp_garp_master_delay 7
            """
        let r = conf(global: global, "")
        // No IPv6 VIPs, so the neighbour-advertisement interval does nothing, and says so.
        XCTAssertEqual(r.diagnostics.map(\.severity), [.notice])
        XCTAssertTrue(r.diagnostics.first?.message.contains("vrrp_gna_interval has no effect") == true, "\(r.diagnostics)")
        let g = r.configuration.vrrp.globalDefinitions
        XCTAssertTrue(g.skipCheckAdvertAddresses)
        XCTAssertTrue(g.checkUnicastSource)
        XCTAssertEqual(g.garpInterval, 1_000)
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertTrue(v.skipCheckAdvertAddresses)
        XCTAssertTrue(v.checkUnicastSource)
        XCTAssertEqual(v.garpMasterRefreshRepeat, 2)
        XCTAssertEqual([v.garpLowerPriorityRepeat, v.garpLowerPriorityDelay], [3, 7], "fall back to the global master GARP settings")

        let lower = conf(global: "  vrrp_garp_lower_prio_repeat 0\n  vrrp_garp_lower_prio_delay 2", "")
        XCTAssertEqual(lower.diagnostics, [])
        XCTAssertEqual(lower.configuration.vrrp.globalDefinitions.garpLowerPriorityRepeat, 0)
        let lv = try XCTUnwrap(lower.configuration.vrrp.instances.first)
        XCTAssertEqual([lv.garpLowerPriorityRepeat, lv.garpLowerPriorityDelay], [0, 2])
    }

    func testInstanceValuesOverrideGlobalOnes() throws {
        let body = """
                skip_check_adv_addr off
                garp_master_refresh_repeat 4
                garp_lower_prio_repeat 2
                garp_lower_prio_delay 1
                dont_track_primary
                debug 2
            """
        let r = conf(global: "  vrrp_skip_check_adv_addr\n  vrrp_garp_lower_prio_repeat 9", body)
        XCTAssertEqual(r.diagnostics, [])
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertFalse(v.skipCheckAdvertAddresses)
        XCTAssertEqual(v.garpMasterRefreshRepeat, 4)
        XCTAssertEqual([v.garpLowerPriorityRepeat, v.garpLowerPriorityDelay], [2, 1])
        XCTAssertTrue(v.dontTrackPrimary)
        let on = conf("    skip_check_adv_addr")
        XCTAssertTrue(try XCTUnwrap(on.configuration.vrrp.instances.first).skipCheckAdvertAddresses)
    }

    func testCheckUnicastSourceWantsPeers() throws {
        let r = conf("    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }\n    check_unicast_src")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertTrue(try XCTUnwrap(r.configuration.vrrp.instances.first).checkUnicastSource)
        let lonely = conf("    check_unicast_src")
        XCTAssertEqual(lonely.alerts, [])
        XCTAssertEqual(lonely.warnings.map(\.message), ["(VI_1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast."])
        XCTAssertEqual(lonely.warnings.first?.location?.line, 10)
    }

    func testArgumentsOfPresenceFlagsAreIgnoredWithAWarning() throws {
        let r = conf(global: "  vrrp_skip_check_adv_addr no", "    dont_track_primary no")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] keepalived.conf:2:28: 'vrrp_skip_check_adv_addr' takes no argument: keepalived ignores 'no' and turns it on",
            "[WARNING] keepalived.conf:10:24: 'dont_track_primary' takes no argument: keepalived ignores 'no' and turns it on",
        ])
        XCTAssertTrue(r.configuration.vrrp.globalDefinitions.skipCheckAdvertAddresses)
        XCTAssertTrue(try XCTUnwrap(r.configuration.vrrp.instances.first).dontTrackPrimary)
    }

    func testGARPIntervalZeroKeepsTheDefaultWithAWarning() {
        let r = conf(global: "  vrrp_garp_interval 0\n  vrrp_gna_interval 0", "")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] keepalived.conf:2:22: vrrp_garp_interval '0' is invalid (keepalived: outside range [0.000001, 4294.967295]); the default, no pause, applies",
            "[WARNING] keepalived.conf:3:21: vrrp_gna_interval '0' is invalid (keepalived: outside range [0.000001, 4294.967295]); the default, no pause, applies",
        ])
        XCTAssertEqual(r.configuration.vrrp.globalDefinitions.garpInterval, 0)
    }

    func testInvalidValuesAreAlerts() {
        assertSingleAlert(conf(global: "  vrrp_garp_interval 5000", ""),
                          "vrrp_garp_interval '5000' is invalid - must be between 0.000001 & 4294.967295 seconds", line: 2, column: 22)
        assertSingleAlert(conf(global: "  vrrp_gna_interval fast", ""),
                          "vrrp_gna_interval 'fast' is invalid - must be between 0.000001 & 4294.967295 seconds", line: 2, column: 21)
        assertSingleAlert(conf("    debug 5"), "(VI_1) Debug value '5' not valid - must be between 0 & 4", line: 10, column: 11)
        assertSingleAlert(conf("    skip_check_adv_addr maybe"),
                          "invalid value 'maybe' for 'skip_check_adv_addr' (expected true/false, on/off or yes/no)", line: 10, column: 25)
        assertSingleAlert(conf("    garp_lower_prio_delay x"),
                          "(VI_1): garp_lower_prio_delay 'x' not valid - must be between 0 & 2147483647", line: 10, column: 27)
        let zero = conf(global: "  vrrp_garp_master_refresh_repeat 0", "    garp_master_refresh_repeat 0")
        XCTAssertEqual(zero.alerts, [])
        XCTAssertEqual(zero.warnings.map(\.message), [
            "vrrp_garp_master_refresh_repeat must be greater than 0, setting to 1",
            "(VI_1): garp_master_refresh_repeat must be greater than 0, setting to 1",
        ])
    }

    func testStillUnsupportedKeywordsStayErrors() {
        assertSingleAlert(conf("    lvs_sync_daemon_interface eth1"),
                          "keepalived keyword 'lvs_sync_daemon_interface' is not supported (in vrrp_instance 'VI_1')", line: 10, column: 5)
        assertSingleAlert(conf(global: "  vrrp_lower_prio_no_advert", ""),
                          "keepalived keyword 'vrrp_lower_prio_no_advert' is not supported (in global_defs)", line: 2, column: 3)
    }

    // MARK: Strict mode

    func testStrictModeWarnsAboutFirewallRules() throws {
        let r = conf(global: "  vrrp_strict", "")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] keepalived.conf:2:3: vrrp_strict: Fulcrum does not install firewall rules for VIPs (keepalived's strict mode drops traffic to them with iptables/nftables)",
        ])
        XCTAssertTrue(r.configuration.vrrp.globalDefinitions.strict)
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertTrue(v.strict)
        XCTAssertEqual([v.garpLowerPriorityRepeat, v.garpLowerPriorityDelay], [0, 0], "strict mode: no lower-priority GARPs by default")
    }

    func testInstanceStrictModeOverridesTheGlobalOne() throws {
        let off = conf(global: "  vrrp_strict", "    strict_mode off\n    authentication {\n        auth_type PASS\n        auth_pass secret\n    }")
        XCTAssertEqual(off.warnings.count, 1, "only the firewall warning: \(off.warnings)")
        let v = try XCTUnwrap(off.configuration.vrrp.instances.first)
        XCTAssertFalse(v.strict)
        XCTAssertEqual(v.authentication, .pass("secret"))

        let on = conf("    strict_mode")
        XCTAssertEqual(on.alerts, [])
        XCTAssertEqual(on.warnings.map(\.description), [
            "[WARNING] keepalived.conf:10:5: (VI_1) strict_mode: Fulcrum does not install firewall rules for VIPs (keepalived's strict mode drops traffic to them with iptables/nftables)",
        ])
        XCTAssertTrue(try XCTUnwrap(on.configuration.vrrp.instances.first).strict)
    }

    func testStrictModeClearsAuthentication() throws {
        let r = conf(global: "  vrrp_strict", "    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.dropFirst().map(\.description), [
            "[WARNING] keepalived.conf:11:19: (VI_1) Strict mode does not support authentication. Ignoring.",
        ])
        XCTAssertNil(try XCTUnwrap(r.configuration.vrrp.instances.first).authentication)
    }

    func testStrictModeStateFollowsAddressOwnership() throws {
        let master = conf(global: "  vrrp_strict", "    state MASTER\n    priority 100")
        XCTAssertEqual(master.alerts, [])
        XCTAssertEqual(master.warnings.dropFirst().map(\.description), [
            "[WARNING] keepalived.conf:10:11: (VI_1) State MASTER must match being address owner",
        ])
        XCTAssertEqual(try XCTUnwrap(master.configuration.vrrp.instances.first).state, .backup)

        let owner = conf(global: "  vrrp_strict", "    state BACKUP\n    priority 255")
        XCTAssertEqual(owner.warnings.dropFirst().map(\.message), ["(VI_1) State MASTER must match being address owner"])
        XCTAssertEqual(try XCTUnwrap(owner.configuration.vrrp.instances.first).state, .master)

        let agreeing = conf(global: "  vrrp_strict", "    state MASTER\n    priority 255")
        XCTAssertEqual(agreeing.warnings.count, 1, "only the firewall warning: \(agreeing.warnings)")
        // Without strict mode the state is kept as written.
        let lax = conf("    state MASTER\n    priority 100")
        XCTAssertEqual(lax.diagnostics, [])
        XCTAssertEqual(try XCTUnwrap(lax.configuration.vrrp.instances.first).state, .master)
    }

    func testStrictModeClearsPreemptDelayAndLowerPriorityGARPs() throws {
        let r = conf(global: "  vrrp_strict", "    preempt_delay 10\n    garp_lower_prio_repeat 3\n    garp_lower_prio_delay 2")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.dropFirst().map(\.description), [
            "[WARNING] keepalived.conf:10:5: (VI_1) preempt_delay is incompatible with strict mode - resetting",
            "[WARNING] keepalived.conf:11:5: (VI_1) Strict mode requires no repeat garps. resetting",
            "[WARNING] keepalived.conf:12:5: (VI_1) Strict mode requires no repeat garp delay. resetting",
        ])
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertEqual([v.preemptDelay, v.garpLowerPriorityRepeat, v.garpLowerPriorityDelay], [0, 0, 0])
        let zeros = conf(global: "  vrrp_strict", "    garp_lower_prio_repeat 0\n    garp_lower_prio_delay 0")
        XCTAssertEqual(zeros.warnings.count, 1, "0 is what strict mode wants: \(zeros.warnings)")
    }

    func testStrictModeNeedsAVIPAndWarnsAboutUnicastPeers() {
        let text = "global_defs {\n  vrrp_strict\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n}\n"
        let noVIP = ConfigParser.parse([ConfigSource(name: "keepalived.conf", text: text)], environment: [:])
        assertSingleAlert(noVIP, "(VI_1) No VIP specified; at least one is required", line: 4, column: 1)

        let unicast = conf(global: "  vrrp_strict", "    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }")
        XCTAssertEqual(unicast.alerts, [])
        XCTAssertEqual(unicast.warnings.dropFirst().map(\.description), [
            "[WARNING] keepalived.conf:12:9: (VI_1) Unicast peers are not supported in strict mode (keepalived refuses this instance when its interface can multicast)",
        ])
    }
}
