import CAllocationCounter
import FulcrumHTTP2
import XCTest

final class HTTP2ServerSessionAllocationTests: XCTestCase {
    /// Request after request on one connection (HEADERS, a POST's DATA,
    /// WINDOW_UPDATE, a chunked response into DATA frames) allocates
    /// nothing once the session's buffers, stream slots and tables have
    /// grown: streams reuse their slots and buffers.
    func testSteadyStateExchangesAllocateNothing() throws {
        try XCTSkipIf(fulcrum_allocations_counted() == 0, "AddressSanitizer owns malloc: allocations are not counted")
        var client = SessionTestClient()
        let rounds = 400
        // The client's frames for every round, built before counting (the
        // client's encoder must stay in step with the session's decoder).
        var inputs: [[UInt8]] = []
        for i in 0..<rounds {
            let id = UInt32(2 * i + 1)
            var bytes = client.headers(id, postFields([("content-type", "application/json"), ("cookie", "a=1"), ("cookie", "b=\(i % 7)")]),
                                       endStream: false)
            bytes += SessionTestClient.data(id, "{\"round\": 12345}", endStream: true)
            bytes += SessionTestClient.windowUpdate(0, 200)
            inputs.append(bytes)
        }
        let response = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\nc8\r\n".utf8)
            + Array(repeating: UInt8(ascii: "r"), count: 200) + Array("\r\n0\r\n\r\n".utf8)
        var session = HTTP2ServerSession()
        var events: [HTTP2ServerSessionEvent] = []
        events.reserveCapacity(32)
        session.receive(SessionTestClient.preface() + SessionTestClient.settingsAck(), into: &events)
        session.outputWritten(session.output.count)
        var heads = 0, ended = 0, requestBytes = 0
        func round(_ i: Int) {
            events.removeAll(keepingCapacity: true)
            inputs[i].withUnsafeBytes { session.receive($0, into: &events) }
            // By index: iterating the array while responses append to it would copy it.
            var k = 0
            while k < events.count {
                switch events[k] {
                case .requestHead(let id, let r):
                    heads += 1
                    requestBytes += r.count
                    response.withUnsafeBytes { session.sendResponse(streamID: id, $0, into: &events) }
                case .requestBody(_, let r): requestBytes += r.count
                case .streamEnded: ended += 1
                default: break
                }
                k += 1
            }
            session.outputWritten(session.output.count)
        }
        for i in 0..<100 { round(i) }
        fulcrum_allocations_reset()
        for i in 100..<rounds { round(i) }
        let count = fulcrum_allocations_count()
        XCTAssertEqual(count, 0, "mallocs in \(rounds - 100) exchanges")
        XCTAssertEqual(heads, rounds)
        XCTAssertEqual(ended, rounds, "every stream ended")
        XCTAssertGreaterThan(requestBytes, rounds * 100)
        XCTAssertTrue(session.isIdle)
        XCTAssertFalse(session.closed)
    }
}
