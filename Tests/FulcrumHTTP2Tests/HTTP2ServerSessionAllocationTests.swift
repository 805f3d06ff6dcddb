import CAllocationCounter
import FulcrumHTTP
import FulcrumHTTP2
import XCTest

final class HTTP2ServerSessionAllocationTests: XCTestCase {
    /// Request after request on one connection (HEADERS, a POST's DATA,
    /// WINDOW_UPDATE, a chunked response into DATA frames) allocates
    /// nothing once the session's buffers, stream slots and tables have
    /// grown: streams reuse their slots and buffers. The one exception is
    /// FulcrumHTTP's response head parser and framing, shared with the
    /// HTTP/1.1 path, and its chunked decoder, which allocate a few
    /// captured-variable boxes per call in debug builds (none in release, where they are promoted to the
    /// stack): the response side must allocate exactly what they do.
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
        var heads = 0, ended = 0, requestBytes = 0, receiving = 0, responding = 0
        func round(_ i: Int) {
            events.removeAll(keepingCapacity: true)
            let before = fulcrum_allocations_count()
            inputs[i].withUnsafeBytes { session.receive($0, into: &events) }
            receiving += fulcrum_allocations_count() - before
            // By index: iterating the array while responses append to it would copy it.
            var k = 0
            while k < events.count {
                switch events[k] {
                case .requestHead(let id, let r):
                    heads += 1
                    requestBytes += r.count
                    let before = fulcrum_allocations_count()
                    response.withUnsafeBytes { session.sendResponse(streamID: id, $0, into: &events) }
                    responding += fulcrum_allocations_count() - before
                case .requestBody(let id, let r):
                    requestBytes += r.count
                    session.requestBodyForwarded(streamID: id, into: &events)
                case .streamEnded: ended += 1
                default: break
                }
                k += 1
            }
            session.outputWritten(session.output.count)
        }
        for i in 0..<100 { round(i) }
        (receiving, responding) = (0, 0)
        fulcrum_allocations_reset()
        for i in 100..<rounds { round(i) }
        let count = fulcrum_allocations_count()
        // What FulcrumHTTP's head parser, framing and chunked decoder allocate by themselves for the same response.
        var head = HTTPHead(kind: .response)
        let get: [UInt8] = Array("GET".utf8)
        var payload: [UInt8] = []
        payload.reserveCapacity(1024)
        var headLength = 0
        if case .complete(let n) = response.withUnsafeBytes({ HTTPParser.parseResponse($0, limits: HTTPLimits(), into: &head) }) { headLength = n }
        XCTAssertGreaterThan(headLength, 0)
        func parse() {
            _ = response.withUnsafeBytes { HTTPParser.parseResponse($0, limits: HTTPLimits(), into: &head) }
            _ = HTTPFraming.response(head, requestMethod: get[...])
            var body = HTTPBodyForwarder(framing: .chunked, errorStatus: 502)
            payload.removeAll(keepingCapacity: true)
            _ = response.withUnsafeBytes { body.forward(UnsafeRawBufferPointer(rebasing: $0[headLength...]), payload: &payload) }
        }
        parse()
        fulcrum_allocations_reset()
        for _ in 100..<rounds { parse() }
        let parser = fulcrum_allocations_count()
        XCTAssertEqual(receiving, 0, "mallocs receiving \(rounds - 100) requests")
        XCTAssertEqual(responding, parser, "mallocs sending \(rounds - 100) responses beyond FulcrumHTTP's parser")
        XCTAssertEqual(count, receiving + responding, "mallocs elsewhere (outputWritten)")
        XCTAssertEqual(heads, rounds)
        XCTAssertEqual(ended, rounds, "every stream ended")
        XCTAssertGreaterThan(requestBytes, rounds * 100)
        XCTAssertTrue(session.isIdle)
        XCTAssertFalse(session.closed)
    }
}
