import XCTest
import FulcrumBytes
@testable import FulcrumLog

/// HAProxy 2.6's line for a connection that never became a stream, as its
/// session_kill_embryonic writes it (checked side by side in
/// SideBySideProxyProtocolTests).
final class ConnectionErrorLineTests: XCTestCase {
    func testTheLineOfAnIPClientAndOfAUnixOne() {
        var out: [UInt8] = []
        // 2026-12-06 22:45:02.457 UTC, written one hour east.
        let micros: Int64 = 1_796_597_102_457_000
        ConnectionErrorLine.render(client: .ip(IPAddress("192.0.2.9")!, port: 40000), acceptDateMicros: micros,
                                   utcOffsetSeconds: 3600, frontend: Array("fe".utf8), listener: Array("1".utf8),
                                   message: "Received an invalid PROXY protocol header", into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "192.0.2.9:40000 [06/Dec/2026:23:45:02.457] fe/1: Received an invalid PROXY protocol header")
        ConnectionErrorLine.render(client: .unix(listenerID: 2), acceptDateMicros: micros, utcOffsetSeconds: 0,
                                   frontend: Array("fe".utf8), listener: Array("sock".utf8), message: "x", into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "unix:2 [06/Dec/2026:22:45:02.457] fe/sock: x")
    }
}
