import XCTest
@testable import FulcrumConfig

/// keepalived `include`: the named files' words stand where the line stood,
/// with their own locations; a pattern matching nothing is keepalived's
/// warning; nesting is bounded.
final class KeepalivedIncludeTests: XCTestCase {
    private let instance = """
        vrrp_instance VI_2 {
            interface eth0
            virtual_router_id 52
            virtual_ipaddress {
                192.168.1.11
            }
        }

        """

    private func parse(_ main: String, files: [String: [ConfigSource]]) -> ParseResult {
        ConfigParser.parse([ConfigSource(name: "/etc/keepalived/keepalived.conf", text: main)], environment: [:],
                           includes: { pattern, from in files[from + " " + pattern] ?? [] })
    }

    func testIncludedFilesJoinTheConfigurationAtTheirLine() {
        let result = parse("include conf.d/*.conf\nglobal_defs {\n    include ids.conf\n}\n", files: [
            "/etc/keepalived/keepalived.conf conf.d/*.conf": [ConfigSource(name: "/etc/keepalived/conf.d/vi2.conf", text: instance)],
            "/etc/keepalived/keepalived.conf ids.conf": [ConfigSource(name: "/etc/keepalived/ids.conf", text: "router_id EDGE1\n")],
        ])
        XCTAssertEqual(result.alerts, [])
        XCTAssertEqual(result.configuration.vrrp.instances.map(\.name), ["VI_2"])
        XCTAssertEqual(result.configuration.vrrp.globalDefinitions.routerID, "EDGE1", "an include inside a block")
    }

    func testErrorsNameTheIncludedFileAndMissingFilesWarn() {
        let bad = instance.replacingOccurrences(of: "virtual_router_id 52", with: "virtual_router_id 300")
        let result = parse("include a.conf\ninclude gone/*.conf\n", files: [
            "/etc/keepalived/keepalived.conf a.conf": [ConfigSource(name: "/etc/keepalived/a.conf", text: bad)],
        ])
        XCTAssertEqual(result.alerts.first?.location?.file, "/etc/keepalived/a.conf")
        XCTAssertEqual(result.alerts.first?.location?.line, 3)
        XCTAssertEqual(result.warnings.map(\.message), ["Config files missing 'gone/*.conf'."])
        XCTAssertEqual(result.warnings.first?.location?.line, 2)
    }

    func testAFileIncludingItselfStopsAtTheNestingBound() {
        let loop = ConfigSource(name: "/etc/keepalived/loop.conf", text: "include loop.conf\n")
        let result = parse("include loop.conf\n" + instance, files: [
            "/etc/keepalived/keepalived.conf loop.conf": [loop], "/etc/keepalived/loop.conf loop.conf": [loop],
        ])
        XCTAssertEqual(result.alerts.count, 1)
        XCTAssertTrue(result.alerts[0].message.hasPrefix("include nesting deeper than"), result.alerts[0].message)
    }

    func testWithoutAFileSystemIncludeIsRefused() {
        let result = ConfigParser.parse([ConfigSource(name: "k.conf", text: "include x.conf\n" + instance)], environment: [:])
        XCTAssertTrue(result.alerts.contains { $0.message.hasPrefix("'include' is not available here") }, "\(result.alerts)")
    }
}
