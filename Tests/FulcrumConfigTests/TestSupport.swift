import XCTest
@testable import FulcrumConfig

/// A defaults section with every timeout set, so tests see only the
/// diagnostics they provoke.
let tcpDefaults = """
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s


"""

func parse(_ text: String, env: [String: String] = [:], file: String = "t.cfg") -> ParseResult {
    ConfigParser.parse([ConfigSource(name: file, text: text)], environment: env)
}

/// A minimal valid keepalived instance (VI_1 on eth0, VRID 51, one VIP)
/// with `body` after its lines, so tests see only the diagnostics they provoke.
func keepalivedInstance(_ body: String) -> String {
    """
    vrrp_instance VI_1 {
        interface eth0
        virtual_router_id 51
        virtual_ipaddress {
            192.168.1.10
        }
    \(body)
    }

    """
}

extension ParseResult {
    var alerts: [Diagnostic] { diagnostics.filter { $0.severity == .alert } }
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    var notices: [Diagnostic] { diagnostics.filter { $0.severity == .notice } }
}

/// Asserts exactly one alert, with this message, at this line and column.
func assertSingleAlert(_ result: ParseResult, _ message: String, line: Int, column: Int,
                       file: StaticString = #filePath, sourceLine: UInt = #line) {
    XCTAssertEqual(result.alerts.count, 1, "alerts: \(result.alerts)", file: file, line: sourceLine)
    guard let a = result.alerts.first else { return }
    XCTAssertEqual(a.message, message, file: file, line: sourceLine)
    XCTAssertEqual(a.location?.line, line, "line", file: file, line: sourceLine)
    XCTAssertEqual(a.location?.column, column, "column", file: file, line: sourceLine)
}

/// The one alert of `result`; fails the test when there is not exactly one.
func onlyAlert(_ result: ParseResult, _ input: String) -> Diagnostic? {
    XCTAssertEqual(result.alerts.count, 1, "\(input): \(result.alerts)")
    return result.alerts.first
}

func words(_ line: String, env: [String: String] = [:]) -> [String] {
    let t = LineTokenizer(environment: env, pseudoVariables: [".FILE": "f.cfg", ".LINE": "7", ".SECTION": "web"])
    let (w, failure) = t.split(line)
    XCTAssertNil(failure, "unexpected failure \(String(describing: failure)) for \(line)")
    return w.map(\.text)
}
