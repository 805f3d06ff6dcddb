import XCTest
@testable import FulcrumConfig

/// `option external-check`, `external-check command|path` and the global
/// `external-check` / `insecure-fork-wanted`, with haproxy 2.6's messages
/// (taken from `haproxy -c` on the same files).
final class ExternalCheckConfigTests: XCTestCase {
    private let body = "backend b\n  option external-check\n  external-check command /opt/check.sh\n  server s 10.0.0.1:80 check\n"

    func testSettingsAreKeptAndInherited() {
        let r = parse("global\n  external-check\n  insecure-fork-wanted\n" + tcpDefaults.replacingOccurrences(of: "defaults\n", with: "defaults\n  option external-check\n  external-check path \"/usr/bin:/bin\"\n")
                      + "backend b\n  external-check command /opt/check.sh\n  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.configuration.backend(named: "b")?.healthCheck.external, ExternalCheck(command: "/opt/check.sh", path: "/usr/bin:/bin"))
        XCTAssertTrue(r.configuration.global.externalCheck.enabled)
    }

    func testAnotherCheckOptionReplacesIt() {
        let r = parse("global\n  external-check\n  insecure-fork-wanted\n" + tcpDefaults + body + "  option tcp-check\n")
        XCTAssertNil(r.configuration.backend(named: "b")?.healthCheck.external)
    }

    func testGlobalSwitchIsRequiredAndForkOnlyWarned() {
        let r = parse(tcpDefaults + body)
        XCTAssertEqual(r.alerts.map(\.message), ["Proxy 'b' : 'option external-check' unable to find required 'global.external-check'."])
        XCTAssertEqual(r.diagnostics.filter { $0.severity == .warning }.map(\.message),
                       ["Proxy 'b' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail."])
    }

    func testCommandIsRequiredForCheckedServers() {
        let r = parse("global\n  external-check\n  insecure-fork-wanted\n" + tcpDefaults + "backend b\n  option external-check\n  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.alerts.map(\.message), ["Proxy 'b' : 'option external-check' unable to find required 'external-check command'."])
    }

    func testArgumentErrors() {
        let r = parse("global\n  external-check keep\n  insecure-fork-wanted\n" + tcpDefaults + "backend b\n  external-check run /x\n  external-check command\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "'external-check' only supports 'preserve-env' as an argument, found 'keep'.",
            "external-check: unknown argument 'run'.",
            "missing argument after 'command'.",
        ])
    }
}
