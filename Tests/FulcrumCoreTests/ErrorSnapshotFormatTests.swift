import XCTest
@testable import FulcrumCore

/// `show errors`' pieces: HAProxy's dump_text_line() layout, the filter
/// arguments, the merge of several workers' snapshots and their transport.
final class ErrorSnapshotFormatTests: XCTestCase {
    private func snapshot(response: Bool, order: Int, event: UInt64, bytes: String = "GET / HTTP/1.1\r\n") -> ErrorSnapshot {
        ErrorSnapshot(response: response, proxyName: response ? "be" : "fe", proxyID: response ? 3 : 2,
                      otherName: response ? "fe" : nil, otherID: response ? 2 : -1, serverName: response ? "s 1" : nil,
                      serverID: response ? 1 : -1, micros: 1_765_000_000_000_000, utcOffset: 0, event: event,
                      source: "127.0.0.1:4000", bytes: Array(bytes.utf8), errorAt: 3, order: order, bufferSize: 16384)
    }

    func testDumpSplitsLinesAndEscapesAsHAProxy() {
        XCTAssertEqual(ErrorSnapshotFormat.dump(Array("GET /a\u{1}b\\ HTTP/1.1\r\n\tx\n".utf8)),
                       "  00000  GET /a\\x01b\\\\ HTTP/1.1\\r\\n\n  00020  \\tx\\n\n")
        let long = ErrorSnapshotFormat.dump(Array(String(repeating: "a", count: 100).utf8))
        XCTAssertEqual(long, "  00000  " + String(repeating: "a", count: 70) + "\n  00070+ " + String(repeating: "a", count: 30) + "\n")
    }

    func testFilterArgumentsAsHAProxyReadsThem() {
        let lookup: (String) -> Int? = { ["fe": 2, "be": 3][$0] }
        XCTAssertEqual(ErrorSnapshotFormat.filter([], lookup: lookup)?.proxyID, -1)
        XCTAssertEqual(ErrorSnapshotFormat.filter(["be", "request"], lookup: lookup), .init(proxyID: 3, requests: true, responses: false))
        XCTAssertEqual(ErrorSnapshotFormat.filter(["7", "response"], lookup: lookup), .init(proxyID: 7, requests: false, responses: true))
        XCTAssertNil(ErrorSnapshotFormat.filter(["nope"], lookup: lookup), "No such proxy.")
        XCTAssertNil(ErrorSnapshotFormat.filter(["response"], lookup: lookup), "a direction alone is taken as a proxy name")
    }

    func testLatestPerProxyAndDirectionInDeclarationOrder() {
        let merged = ErrorSnapshotFormat.merge([snapshot(response: true, order: 5, event: 1), snapshot(response: false, order: 5, event: 0),
                                                snapshot(response: false, order: 5, event: 4), snapshot(response: false, order: 2, event: 3)])
        XCTAssertEqual(merged.map(\.event), [3, 4, 1])
        let s = snapshot(response: true, order: 1, event: 9, bytes: "a b\n")
        XCTAssertEqual(ErrorSnapshot(encoded: Substring(s.encoded)), s)
        XCTAssertEqual(ErrorSnapshotFormat.records(s.encoded + "\n" + "garbage\n"), [s])
    }
}
