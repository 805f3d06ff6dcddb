import XCTest
@testable import FulcrumConfig

/// `proto` on bind and server lines, with HAProxy 2.6's verdicts: `h1` is
/// what a mode http proxy speaks; nothing is usable in mode tcp.
final class MuxProtocolOptionTests: XCTestCase {
    private func config(mode: String, proto: String) -> String {
        tcpDefaults.replacingOccurrences(of: "mode tcp", with: "mode \(mode)") + """
        listen l
            bind 127.0.0.1:8080 proto \(proto)
            server s 127.0.0.1:8081 proto \(proto)

        """
    }

    func testH1IsAcceptedInModeHTTP() {
        XCTAssertEqual(parse(config(mode: "http", proto: "h1")).alerts, [])
    }

    func testUnknownProtocolAndModeTCPAreRefusedAtTheirWord() {
        let unknown = parse(config(mode: "http", proto: "h3x"))
        XCTAssertEqual(unknown.alerts.map(\.message).filter { $0.hasPrefix("'proto' : unknown MUX protocol 'h3x'") }.count, 2)
        XCTAssertEqual(unknown.alerts.map { $0.location?.line }, [8, 9])
        let tcp = parse(config(mode: "tcp", proto: "h1"))
        XCTAssertEqual(tcp.alerts.count, 2)
        XCTAssertTrue(tcp.alerts.allSatisfy { $0.message.hasPrefix("MUX protocol 'h1' is not usable for") }, "\(tcp.alerts)")
    }

    func testH2AndFCGISayWhyTheyAreRefused() {
        let h2 = parse(config(mode: "http", proto: "h2"))
        XCTAssertEqual(h2.alerts.count, 2)
        XCTAssertTrue(h2.alerts.allSatisfy { $0.message.contains("HTTP/2 is not served") }, "\(h2.alerts)")
        XCTAssertEqual(h2.alerts.first?.location?.column, 31, "the value word of \"    bind 127.0.0.1:8080 proto h2\"")
    }
}
