import XCTest
@testable import FulcrumConfig

/// `use_vmac [NAME]` and `vmac_xmit_base` as keepalived reads them.
final class KeepalivedVirtualMACTests: XCTestCase {
    private func parse(_ lines: String) -> ParseResult {
        FulcrumConfigTests.parse(keepalivedInstance(lines), file: "keepalived.conf")
    }

    func testDefaultNameIsVRRPDotVRID() throws {
        let r = parse("    use_vmac")
        XCTAssertEqual(r.diagnostics, [])
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertEqual(v.virtualMACInterface, "vrrp.51")
        XCTAssertFalse(v.virtualMACTransmitBase)
    }

    func testNamedAndTransmitBase() throws {
        let r = parse("    use_vmac vmac51\n    vmac_xmit_base")
        XCTAssertEqual(r.diagnostics, [])
        let v = try XCTUnwrap(r.configuration.vrrp.instances.first)
        XCTAssertEqual(v.virtualMACInterface, "vmac51")
        XCTAssertTrue(v.virtualMACTransmitBase)
    }

    func testErrors() {
        let bad = parse("    use_vmac a-name-far-too-long")
        XCTAssertEqual(bad.alerts.map(\.description), [
            "[ALERT] keepalived.conf:7:14: (VI_1) invalid vmac interface name 'a-name-far-too-long'",
        ])
        let alone = parse("    vmac_xmit_base")
        XCTAssertEqual(alone.warnings.map(\.description), [
            "[WARNING] keepalived.conf:1:1: (VI_1) vmac_xmit_base has no effect without use_vmac",
        ])
        XCTAssertFalse(alone.configuration.vrrp.instances[0].virtualMACTransmitBase)
    }
}
