import XCTest
@testable import FulcrumConfig

/// `default-path`: the directory it names, from the file it is written in.
final class DefaultPathConfigTests: XCTestCase {
    private func directory(_ line: String, file: String = "/etc/haproxy/haproxy.cfg") -> (String?, [String]) {
        let r = parse("global\n  \(line)\n", file: file)
        return (r.configuration.global.defaultPath, r.alerts.map(\.message))
    }

    func testPolicies() {
        XCTAssertEqual(directory("default-path config").0, "/etc/haproxy")
        XCTAssertEqual(directory("default-path config", file: "haproxy.cfg").0, ".")
        XCTAssertEqual(directory("default-path parent").0, "/etc/haproxy/..")
        XCTAssertEqual(directory("default-path origin /srv/lb").0, "/srv/lb")
        XCTAssertNil(directory("default-path current").0)
    }

    func testErrors() {
        XCTAssertEqual(directory("default-path").1, ["'default-path' expects 'current', 'config', 'parent' or 'origin' followed by a path."])
        XCTAssertEqual(directory("default-path origin").1, ["'default-path' 'origin' expects a path as an argument"])
        XCTAssertEqual(directory("default-path config x").1, ["unexpected argument 'x' for 'default-path'"])
        let twice = parse("global\n  default-path config\n  default-path config\n  default-path origin /x\n", file: "/a/b.cfg")
        XCTAssertEqual(twice.alerts.map(\.location!.line), [4])
        XCTAssertEqual(twice.configuration.global.defaultPath, "/a")
    }
}
