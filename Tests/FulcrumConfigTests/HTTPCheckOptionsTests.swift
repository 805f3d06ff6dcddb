import XCTest
@testable import FulcrumConfig

/// `http-check send-state` and `http-check disable-on-404`: proxy options
/// (inherited from defaults), without arguments.
final class HTTPCheckOptionsTests: XCTestCase {
    func testFlagsAndInheritance() {
        let r = parse(String(tcpDefaults.dropLast()) + "\n  http-check send-state\n"
                      + "backend b\n  option httpchk\n  http-check disable-on-404\n  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.diagnostics, [])
        let c = r.configuration.backend(named: "b")?.healthCheck
        XCTAssertEqual(c?.sendState, true)
        XCTAssertEqual(c?.disableOn404, true)
    }

    func testArgumentsRefused() {
        let r = parse(tcpDefaults + "backend b\n  http-check send-state now\n")
        XCTAssertEqual(r.alerts.map(\.message), ["'http-check send-state' does not expect any argument."])
    }
}
