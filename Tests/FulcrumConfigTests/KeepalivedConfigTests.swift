import Foundation
import XCTest
import FulcrumBytes
@testable import FulcrumConfig

/// A minimal valid instance body, so tests see only the diagnostics they provoke.
private func instance(_ body: String, name: String = "VI_1") -> String {
    """
    vrrp_instance \(name) {
        interface eth0
        virtual_router_id 51
        virtual_ipaddress {
            192.168.1.10
        }
    \(body)
    }

    """
}

private func keepalived(_ text: String, file: String = "keepalived.conf") -> ParseResult {
    ConfigParser.parse([ConfigSource(name: file, text: text)], environment: [:])
}

private func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddress {
    .v4(IPv4Address(a, b, c, d))
}

final class KeepalivedConfigTests: XCTestCase {
    private var corpus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    }

    private func corpusFile(_ name: String) throws -> ParseResult {
        let text = try String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8)
        return keepalived(text, file: name)
    }

    func testSampleLoadBalancerPair() throws {
        let r = try corpusFile("keepalived-lb-pair.conf")
        XCTAssertEqual(r.diagnostics, [])
        let c = r.configuration
        XCTAssertTrue(c.frontends.isEmpty)
        let g = c.vrrp.globalDefinitions
        XCTAssertEqual(g.location?.line, 6)
        XCTAssertEqual(g.notificationEmail, ["admin@example.com", "ops@example.com"])
        XCTAssertEqual(g.notificationEmailFrom, "keepalived@lb1.example.com")
        XCTAssertEqual(g.smtpServer, VRRPSMTPServer(host: "192.168.200.1", port: 2525))
        XCTAssertEqual(g.smtpConnectTimeout, 20)
        XCTAssertEqual(g.routerID, "LB1")
        XCTAssertEqual(g.garpMasterDelay, 2)
        XCTAssertTrue(g.enableScriptSecurity)
        XCTAssertEqual(g.scriptUser, "keepalived_script")
        XCTAssertEqual(g.scriptGroup, "nogroup")

        let script = try XCTUnwrap(c.vrrp.script(named: "chk_haproxy"))
        XCTAssertEqual(script.command?.arguments, ["/usr/bin/killall", "-0", "haproxy"])
        XCTAssertEqual(script.command?.location.line, 22)
        XCTAssertEqual([script.interval, script.effectiveTimeout, script.weight, script.rise, script.fall], [2, 3, -20, 2, 3])
        XCTAssertEqual(script.user, "nobody")
        XCTAssertNil(script.group)

        let group = try XCTUnwrap(c.vrrp.syncGroup(named: "G1"))
        XCTAssertEqual(group.instances, ["VI_1", "VI_2"])
        XCTAssertEqual(group.notify.master?.arguments, ["/usr/local/bin/vrrp.mast", "arg1", "arg2"])
        XCTAssertEqual(group.notify.fault?.arguments, ["/usr/local/bin/vrrp.fault", "two words"])
        XCTAssertNil(group.notify.stop)

        let vi1 = try XCTUnwrap(c.vrrp.instance(named: "VI_1"))
        XCTAssertEqual(vi1.location, SourceLocation(file: "keepalived-lb-pair.conf", line: 41, column: 1))
        XCTAssertEqual(vi1.state, .master)
        XCTAssertEqual(vi1.interface, "eth0")
        XCTAssertEqual(vi1.virtualRouterID, 51)
        XCTAssertEqual(vi1.priority, 150)
        XCTAssertEqual(vi1.advertInterval, 100)
        XCTAssertEqual(vi1.version, 2)
        XCTAssertEqual(vi1.authentication, .pass("1111"))
        XCTAssertEqual(vi1.garpMasterDelay, 10)
        XCTAssertEqual(vi1.garpMasterRepeat, 5)
        XCTAssertTrue(vi1.smtpAlert)
        XCTAssertEqual(vi1.syncGroup, "G1")
        XCTAssertEqual(vi1.virtualAddresses.map(\.address), [v4(192, 168, 200, 16), v4(192, 168, 200, 17), v4(192, 168, 200, 18)])
        XCTAssertEqual(vi1.virtualAddresses.map(\.prefixLength), [32, 24, 24])
        XCTAssertEqual(vi1.virtualAddresses.map(\.location.line), [54, 55, 56])
        XCTAssertEqual(vi1.virtualAddresses[1].device, "eth0")
        XCTAssertEqual(vi1.virtualAddresses[1].label, "eth0:1")
        XCTAssertEqual(vi1.virtualAddresses[2].broadcast, v4(192, 168, 200, 255))
        XCTAssertEqual(vi1.virtualAddresses[2].scope, 0)
        XCTAssertEqual(vi1.excludedAddresses.map(\.address), [v4(192, 168, 201, 10)])
        XCTAssertEqual(vi1.excludedAddresses.first?.prefixLength, 24)
        XCTAssertEqual(vi1.trackScripts, [VRRPTrack(name: "chk_haproxy", location: SourceLocation(file: "keepalived-lb-pair.conf", line: 62, column: 9))])
        XCTAssertEqual(vi1.trackInterfaces.map(\.name), ["eth1"])
        XCTAssertEqual(vi1.trackInterfaces.first?.weight, -10)
        XCTAssertEqual(vi1.notify.master?.arguments, ["/usr/local/bin/vrrp.sh", "MASTER", "VI_1"])

        let vi2 = try XCTUnwrap(c.vrrp.instance(named: "VI_2"))
        XCTAssertEqual(vi2.state, .backup)
        XCTAssertTrue(vi2.nopreempt)
        XCTAssertEqual(vi2.sourceAddress, v4(10, 0, 0, 1))
        XCTAssertEqual(vi2.unicastPeers.map(\.address), [v4(10, 0, 0, 2)])
        XCTAssertTrue(vi2.isUnicast)
        XCTAssertNil(vi2.authentication)
        XCTAssertFalse(vi2.smtpAlert)
    }

    func testDefaults() throws {
        let r = try corpusFile("keepalived-v3-fast.conf")
        XCTAssertEqual(r.diagnostics, [])
        let g = r.configuration.vrrp.globalDefinitions
        XCTAssertNil(g.location)
        XCTAssertNil(g.routerID)
        XCTAssertEqual(g.multicastGroup4, v4(224, 0, 0, 18))
        XCTAssertEqual([g.garpMasterDelay, g.garpMasterRepeat, g.garpMasterRefresh, g.vrrpVersion, g.smtpConnectTimeout], [5, 5, 0, 2, 30])
        XCTAssertFalse(g.enableScriptSecurity)
        XCTAssertNil(g.smtpServer)
        let v = try XCTUnwrap(r.configuration.vrrp.instance(named: "fast"))
        XCTAssertEqual(v.version, 3)
        XCTAssertEqual(v.advertInterval, 10)
        XCTAssertEqual(v.priority, 100)
        XCTAssertEqual(v.state, .backup)
        XCTAssertFalse(v.nopreempt)
        XCTAssertEqual(v.preemptDelay, 0)
        XCTAssertEqual([v.garpMasterDelay, v.garpMasterRepeat, v.garpMasterRefresh], [5, 5, 0])
        XCTAssertNil(v.syncGroup)

        let s = keepalived("vrrp_script s {\n  script /bin/true\n}\n" + instance("  track_script {\n    s weight 5\n  }"))
        XCTAssertEqual(s.diagnostics, [])
        let script = try XCTUnwrap(s.configuration.vrrp.script(named: "s"))
        XCTAssertEqual([script.interval, script.effectiveTimeout, script.weight, script.rise, script.fall], [1, 1, 0, 1, 1])
        XCTAssertNil(script.timeout)
        XCTAssertFalse(script.initFail)
        XCTAssertEqual(s.configuration.vrrp.instances.first?.trackScripts.first?.weight, 5)
    }

    func testPriorityAndStateDeriveFromEachOther() {
        let master = keepalived(instance("  state MASTER"))
        XCTAssertEqual(master.configuration.vrrp.instances.first?.priority, 255)
        let owner = keepalived(instance("  priority 255"))
        XCTAssertEqual(owner.configuration.vrrp.instances.first?.state, .master)
        let plain = keepalived(instance("  priority 254"))
        XCTAssertEqual(plain.configuration.vrrp.instances.first?.state, .backup)
    }

    func testGlobalFallbacksAndMinGARP() {
        let r = keepalived("global_defs {\n  vrrp_min_garp\n  vrrp_version 3\n  vrrp_garp_master_refresh 60\n}\n" + instance("  garp_master_repeat 3"))
        XCTAssertEqual(r.diagnostics, [])
        let v = r.configuration.vrrp.instances[0]
        XCTAssertEqual([v.garpMasterDelay, v.garpMasterRepeat, v.garpMasterRefresh, v.version], [0, 3, 60, 3])
    }

    func testNopreemptWithMasterIsCleared() {
        let r = keepalived(instance("  state MASTER\n  priority 150\n  nopreempt"))
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), ["(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing"])
        XCTAssertEqual(r.warnings.first?.location?.line, 9)
        XCTAssertEqual(r.configuration.vrrp.instances[0].nopreempt, false)

        let owner = keepalived(instance("  state BACKUP\n  priority 255\n  nopreempt"))
        XCTAssertEqual(owner.warnings.map(\.message), ["(VI_1) nopreempt is incompatible with priority 255 - resetting nopreempt"])

        let delay = keepalived(instance("  nopreempt\n  preempt_delay 30"))
        XCTAssertEqual(delay.warnings.map(\.message), ["(VI_1) preempt_delay is incompatible with nopreempt mode - resetting"])
        XCTAssertEqual(delay.warnings.first?.location?.line, 8)
        XCTAssertEqual(delay.configuration.vrrp.instances[0].preemptDelay, 0)

        let kept = keepalived(instance("  preempt_delay 30"))
        XCTAssertEqual(kept.diagnostics, [])
        XCTAssertEqual(kept.configuration.vrrp.instances[0].preemptDelay, 30)
    }

    func testAuthPassIsTruncatedToEight() {
        let r = keepalived(instance("  authentication {\n    auth_type PASS\n    auth_pass 0123456789\n  }"))
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), ["[WARNING] keepalived.conf:9:15: (VI_1) Truncating auth_pass to 8 characters"])
        XCTAssertEqual(r.configuration.vrrp.instances[0].authentication, .pass("01234567"))
    }

    func testAuthenticationRules() {
        let ah = keepalived(instance("  authentication {\n    auth_type AH\n    auth_pass 0123456789\n  }"))
        XCTAssertEqual(ah.alerts, [])
        XCTAssertEqual(ah.warnings.map(\.message), ["(VI_1) Truncating auth_pass to 8 characters"])
        XCTAssertEqual(ah.configuration.vrrp.instances[0].authentication, .ah("01234567"))
        let ahV3 = keepalived(instance("  version 3\n  authentication {\n    auth_type AH\n    auth_pass x\n  }"))
        XCTAssertEqual(ahV3.warnings.map(\.message), ["(VI_1) VRRP version 3 does not support authentication. Ignoring."])
        XCTAssertNil(ahV3.configuration.vrrp.instances[0].authentication)
        let unknown = keepalived(instance("  authentication {\n    auth_type ESP\n    auth_pass x\n  }"))
        assertSingleAlert(unknown, "(VI_1) unknown authentication type 'ESP'", line: 8, column: 15)
        let v3 = keepalived(instance("  version 3\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }"))
        XCTAssertEqual(v3.warnings.map(\.message), ["(VI_1) VRRP version 3 does not support authentication. Ignoring."])
        XCTAssertNil(v3.configuration.vrrp.instances[0].authentication)
        let noPass = keepalived(instance("  authentication {\n    auth_type PASS\n  }"))
        XCTAssertEqual(noPass.warnings.map(\.message), ["(VI_1) Authentication specified but no password given. Ignoring"])
    }

    func testPriorityAndRouterIDRanges() {
        assertSingleAlert(keepalived(instance("  priority 0")), "(VI_1) Priority '0' not valid! must be between 1 & 255", line: 7, column: 12)
        assertSingleAlert(keepalived(instance("  priority 256")), "(VI_1) Priority '256' not valid! must be between 1 & 255", line: 7, column: 12)
        let vrid = keepalived("vrrp_instance X {\n  interface eth0\n  virtual_router_id 256\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n")
        XCTAssertEqual(vrid.alerts.map(\.description), [
            "[ALERT] keepalived.conf:3:21: (X): VRID '256' not valid - must be between 1 & 255",
            "[ALERT] keepalived.conf:1:1: (X) virtual_router_id is required (1-255)",
        ])
    }

    func testVirtualRouterIDAndInterfaceRequired() {
        let r = keepalived("vrrp_instance X {\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "(X) virtual_router_id is required (1-255)",
            "(X) 'interface' is required (it may be left out only for a unicast instance with unicast_src_ip and unicast_peer)",
        ])
        XCTAssertEqual(r.alerts.map { $0.location!.line }, [1, 1])
        let unicast = keepalived("vrrp_instance X {\n  virtual_router_id 9\n  unicast_src_ip 10.0.0.1\n  unicast_peer {\n    10.0.0.2\n  }\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n")
        XCTAssertEqual(unicast.diagnostics, [])
    }

    func testVIPSets() {
        let v2 = keepalived("vrrp_instance X {\n  interface eth0\n  virtual_router_id 9\n}\n")
        XCTAssertEqual(v2.alerts, [])
        XCTAssertEqual(v2.warnings.map(\.description), ["[WARNING] keepalived.conf:1:1: (X) No VIP specified; at least one is sensible"])
        let v3 = keepalived("vrrp_instance X {\n  version 3\n  interface eth0\n  virtual_router_id 9\n}\n")
        assertSingleAlert(v3, "(X) No VIP specified; at least one is required", line: 1, column: 1)
        let bad = keepalived(instance("  virtual_ipaddress {\n    10.0.0.300/24\n    10.0.0.2/24 dev eth1 peer 10.0.0.3\n    10.0.0.4 scope galaxy\n  }"))
        XCTAssertEqual(bad.alerts.map(\.description), [
            "[ALERT] keepalived.conf:8:5: (VI_1) invalid virtual address '10.0.0.300/24'",
            "[ALERT] keepalived.conf:9:26: keepalived keyword 'peer' is not supported (in virtual address '10.0.0.2/24')",
            "[ALERT] keepalived.conf:10:20: (VI_1) invalid scope 'galaxy' (global, site, link, host, nowhere or 0-255)",
        ])
        let six = keepalived(instance("  virtual_ipaddress {\n    fe80::1/64\n  }"))
        XCTAssertEqual(six.alerts.count, 1)
        XCTAssertTrue(six.alerts[0].message.contains("IPv6 virtual address 'fe80::1/64' is not supported"), "\(six.alerts)")
        XCTAssertEqual(six.configuration.vrrp.instances[0].virtualAddresses.count, 1)
        let excludedSix = keepalived(instance("  virtual_ipaddress_excluded {\n    2001:db8::10/64\n  }"))
        XCTAssertEqual(excludedSix.alerts.count, 1)
        XCTAssertTrue(excludedSix.alerts[0].message.contains("IPv6 virtual address '2001:db8::10/64' is not supported"),
                      "\(excludedSix.alerts)")
        XCTAssertEqual(excludedSix.configuration.vrrp.instances[0].excludedAddresses, [])
    }

    func testAdvertIntervalUnits() {
        let v2 = keepalived(instance("  advert_int 1.4"))
        XCTAssertEqual(v2.warnings.map(\.message), ["(VI_1) VRRPv2 advertisement interval 1.4s must be an integer. rounding to 1s"])
        XCTAssertEqual(v2.warnings.first?.location?.line, 7)
        XCTAssertEqual(v2.configuration.vrrp.instances[0].advertInterval, 100)
        let v3 = keepalived(instance("  version 3\n  advert_int 0.125"))
        XCTAssertEqual(v3.warnings.map(\.message), ["(VI_1) VRRPv3 advertisement interval 0.125s must be in units of 10ms - rounding"])
        XCTAssertEqual(v3.configuration.vrrp.instances[0].advertInterval, 13)
        let v3long = keepalived(instance("  version 3\n  advert_int 3"))
        XCTAssertEqual(v3long.diagnostics, [])
        XCTAssertEqual(v3long.configuration.vrrp.instances[0].advertInterval, 300)
        assertSingleAlert(keepalived(instance("  advert_int 0")), "(VI_1) Advert interval (0) not valid! Must be between 0.01 and 255 seconds", line: 7, column: 14)
    }

    func testUnknownAndUnsupportedKeywords() {
        let r = keepalived(instance("  priorty 100\n  use_ipvlan\n  virtual_router 4") + "vrrp_instanse Y {\n}\nvirtual_server 10.0.0.1 80 {\n  lb_algo rr\n}\n")
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:7:3: unknown keyword 'priorty' in vrrp_instance 'VI_1'; did you mean 'priority'?",
            "[ALERT] keepalived.conf:8:3: keepalived keyword 'use_ipvlan' is not supported (in vrrp_instance 'VI_1')",
            "[ALERT] keepalived.conf:9:3: unknown keyword 'virtual_router' in vrrp_instance 'VI_1'; did you mean 'virtual_routes'?",
            "[ALERT] keepalived.conf:11:1: unknown keyword 'vrrp_instanse' at the top level of a keepalived configuration; did you mean 'vrrp_instance'?",
            "[ALERT] keepalived.conf:13:1: keepalived keyword 'virtual_server' is not supported",
        ])
        let g = keepalived("global_defs {\n  vrrp_iptables\n  router_idd x\n}\n")
        XCTAssertEqual(g.alerts.map(\.message), [
            "keepalived keyword 'vrrp_iptables' is not supported (in global_defs)",
            "unknown keyword 'router_idd' in global_defs; did you mean 'router_id'?",
        ])
        // Without a file system to read from (KeepalivedIncludeTests has the rest).
        assertSingleAlert(keepalived("global_defs {\n}\ninclude /etc/keepalived/conf.d/*.conf\n"),
                          "'include' is not available here (no file system to read '/etc/keepalived/conf.d/*.conf' from)", line: 3, column: 1)
    }

    func testSyntaxErrors() {
        let r = keepalived("global_defs {\n  router_id \"unterminated\n}\n}\n")
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:2:13: unterminated quoted string",
            "[ALERT] keepalived.conf:4:1: unexpected '}' with no block open",
            "[ALERT] keepalived.conf:2:3: 'router_id' expects a router id",
        ])
        let open = keepalived("vrrp_instance X {\n  interface eth0\n")
        XCTAssertTrue(open.alerts.contains { $0.description == "[ALERT] keepalived.conf:1:17: missing '}' for the block opened here (end of file reached)" }, "\(open.alerts)")
        let comments = keepalived("! comment\nglobal_defs { # trailing\n  router_id a ! also a comment\n}\n")
        XCTAssertEqual(comments.diagnostics, [])
        XCTAssertEqual(comments.configuration.vrrp.globalDefinitions.routerID, "a")
    }

    func testReferencesAreChecked() {
        let r = keepalived("vrrp_script chk {\n  script /bin/true\n}\n" + instance("  track_script {\n    chck\n  }")
                           + "vrrp_sync_group G {\n  group {\n    VI_1 VI_9\n  }\n}\n")
        XCTAssertEqual(r.alerts.map(\.description), [
            "[ALERT] keepalived.conf:11:5: (VI_1) track_script chck not found (no vrrp_script with that name); did you mean 'chk'?",
            "[ALERT] keepalived.conf:14:1: vrrp sync group G: virtual router VI_9 specified but not found",
        ])
        XCTAssertEqual(r.warnings.map(\.message), ["vrrp sync group G has only 1 virtual router(s) - this probably isn't what you want"])
        let twice = keepalived(instance("", name: "VI_1") + instance("  interface eth1", name: "VI_2"))
        XCTAssertTrue(twice.alerts.isEmpty, "\(twice.alerts)")
        let same = keepalived(instance("", name: "VI_1") + instance("", name: "VI_2"))
        XCTAssertEqual(same.alerts.map(\.message), ["(VI_2) virtual_router_id 51 is already used on interface eth0 by instance VI_1 (keepalived.conf:1:1)"])
        let dup = keepalived(instance("", name: "VI_1") + instance("", name: "VI_1"))
        assertSingleAlert(dup, "vrrp instance VI_1 already defined at keepalived.conf:1:1", line: 9, column: 15)
    }

    func testTrackBackend() {
        let proxy = tcpDefaults + "backend web\n    server s1 10.0.0.1:80\n"
        let ok = parse(proxy + instance("  track_backend web weight -30\n  track_backend {\n    web\n  }"))
        XCTAssertEqual(ok.alerts, [])
        let tracks = ok.configuration.vrrp.instances[0].trackBackends
        XCTAssertEqual(tracks.map(\.name), ["web", "web"])
        XCTAssertEqual(tracks.map(\.weight), [-30, nil])
        XCTAssertEqual(tracks.first?.location.line, 15)
        let missing = parse(proxy + instance("  track_backend wbe"))
        assertSingleAlert(missing, "(VI_1) track_backend wbe: no backend with that name in the proxy configuration; did you mean 'web'?", line: 15, column: 17)
        let alone = keepalived(instance("  track_backend web"))
        XCTAssertEqual(alone.alerts, [])
        XCTAssertEqual(alone.warnings.count, 1)
    }

    func testMixedFileKeepsLineNumbersAndEndsTheSection() throws {
        let text = try String(contentsOf: corpus.appendingPathComponent("haproxy-with-vrrp.cfg"), encoding: .utf8)
        let r = parse(text, file: "mixed.cfg")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.frontends.map(\.name), ["www"])
        XCTAssertEqual(r.configuration.backend(named: "web")?.servers.count, 2)
        let v = try XCTUnwrap(r.configuration.vrrp.instance(named: "VI_WEB"))
        XCTAssertEqual(v.location, SourceLocation(file: "mixed.cfg", line: 15, column: 1))
        XCTAssertEqual(v.virtualAddresses.first?.location.line, 21)
        XCTAssertEqual(v.trackBackends.first?.weight, -50)

        // The frontend in progress ends at the block: a proxy keyword after it is out of section.
        let ended = parse(tcpDefaults + "frontend f\n  bind :80\n" + instance("  priority 100") + "  default_backend b\n")
        XCTAssertEqual(ended.alerts.map(\.message), ["unknown keyword 'default_backend' out of section"])
        XCTAssertEqual(ended.alerts.first?.location?.line, 17)
        XCTAssertEqual(ended.configuration.vrrp.instances.first?.priority, 100)

        // A keepalived error inside the block names the Fulcrum file's own line.
        let bad = parse("global\n  daemon\nvrrp_instance X\n{\n  interface eth0\n  virtual_router_id 5\n  stat MASTER\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\nglobal\n  daemon\n")
        assertSingleAlert(bad, "unknown keyword 'stat' in vrrp_instance 'X'; did you mean 'state'?", line: 7, column: 3)
    }

    func testSeveralSourcesMerge() {
        let a = ConfigSource(name: "a.conf", text: "global_defs {\n  router_id A\n}\n" + instance("", name: "VI_1"))
        let b = ConfigSource(name: "b.cfg", text: tcpDefaults + "listen l\n  bind :80\n  server s 10.0.0.1:80\n" + instance("  interface eth1", name: "VI_2"))
        let r = ConfigParser.parse([a, b], environment: [:])
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.vrrp.instances.map(\.name), ["VI_1", "VI_2"])
        XCTAssertEqual(r.configuration.vrrp.instances.map(\.location.file), ["a.conf", "b.cfg"])
        XCTAssertEqual(r.configuration.vrrp.globalDefinitions.routerID, "A")
        XCTAssertEqual(r.configuration.frontends.map(\.name), ["l"])
    }

    func testVRRPOnlyConfigurationIsValid() {
        let r = keepalived(instance(""))
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertFalse(r.hasErrors)
        XCTAssertTrue(r.configuration.frontends.isEmpty)
        XCTAssertFalse(r.configuration.vrrp.isEmpty)
    }

    func testCommandQuoting() {
        let r = keepalived(instance("  notify \"/usr/bin/notify.sh 'a b' c\"\n  notify_stop /bin/stop.sh x y\n  notify_stop /bin/other"))
        let n = r.configuration.vrrp.instances[0].notify
        XCTAssertEqual(n.any?.arguments, ["/usr/bin/notify.sh", "a b", "c"])
        XCTAssertEqual(n.stop?.arguments, ["/bin/stop.sh", "x", "y"])
        XCTAssertEqual(r.warnings.map(\.message), ["(VI_1) notify_stop script already specified - ignoring this one"])
        XCTAssertEqual(r.warnings.first?.location?.line, 9)
    }

    /// The literals themselves are FulcrumBytes' (IPAddressTests); here what keepalived.conf adds.
    func testAddressParsing() {
        XCTAssertEqual(KeepalivedValues.address("10.1.2.3"), v4(10, 1, 2, 3))
        XCTAssertNil(KeepalivedValues.address("10.1.2"))
        XCTAssertEqual(KeepalivedValues.addressWithPrefix("fe80::1/64").map { $0.1 }, 64)
        XCTAssertEqual(KeepalivedValues.addressWithPrefix("10.0.0.1/33").map { $0.1 }, nil)
    }
}
