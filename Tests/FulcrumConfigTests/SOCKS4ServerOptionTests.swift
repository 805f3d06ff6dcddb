import XCTest
@testable import FulcrumConfig

/// `socks4 ADDR:PORT` and `check-via-socks4` on server and default-server
/// lines, with HAProxy's mandatory port.
final class SOCKS4ServerOptionTests: XCTestCase {
    private func backend(_ body: String) -> (Backend?, ParseResult) {
        let r = parse(tcpDefaults + "backend b\n" + body)
        return (r.configuration.backend(named: "b"), r)
    }

    func testProxyAndCheckFlagAreKept() {
        let (b, r) = backend("  default-server check-via-socks4\n  server s 192.0.2.2:25 socks4 127.0.0.1:1080 check\n  server t 192.0.2.3:25\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.servers[0].params.socks4, SOCKS4Proxy(host: "127.0.0.1", port: 1080))
        XCTAssertEqual(b?.servers[0].params.checkViaSocks4, true)
        XCTAssertNil(b?.servers[1].params.socks4)
    }

    func testPortIsMandatory() {
        let (_, r) = backend("  server s 192.0.2.2:25 socks4 127.0.0.1\n")
        XCTAssertEqual(r.alerts.map(\.message), ["'socks4 127.0.0.1' : missing port specification in '127.0.0.1'"])
        let (_, r2) = backend("  server s 192.0.2.2:25 socks4\n")
        XCTAssertEqual(r2.alerts.map(\.message), ["'socks4' expects an argument"])
    }
}
