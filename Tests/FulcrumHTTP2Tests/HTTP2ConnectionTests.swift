import FulcrumHTTP2
import XCTest

final class HTTP2ConnectionTests: XCTestCase {
    typealias A = HTTP2ConnectionAction

    /// A server connection past the SETTINGS exchange, this end's
    /// `settings` acknowledged.
    func server(_ settings: HTTP2Settings = HTTP2Settings(), peer: HTTP2Settings = HTTP2Settings()) -> HTTP2Connection {
        var c = HTTP2Connection(role: .server, settings: settings)
        var actions: [A] = []
        c.receive(.settings(ack: false, peer), into: &actions)
        c.receive(.settings(ack: true, HTTP2Settings()), into: &actions)
        XCTAssertEqual(actions, [.sendSettingsAck, .peerSettings(peer), .localSettingsAcknowledged(settings)])
        return c
    }

    func run(_ c: inout HTTP2Connection, _ frames: HTTP2Frame...) -> [A] {
        var actions: [A] = []
        for f in frames { c.receive(f, into: &actions) }
        return actions
    }

    func headers(_ id: UInt32, end: Bool, endHeaders: Bool = true) -> HTTP2Frame {
        .headers(streamID: id, fragment: 0..<0, endStream: end, endHeaders: endHeaders, priority: nil, padLength: nil)
    }

    func data(_ id: UInt32, _ count: Int, end: Bool = false, pad: UInt8? = nil) -> HTTP2Frame {
        .data(streamID: id, data: 0..<count, endStream: end, padLength: pad)
    }

    func testTheFirstFrameMustBeSettings() {
        var c = HTTP2Connection(role: .server, settings: HTTP2Settings())
        XCTAssertEqual(run(&c, .ping(ack: false, opaqueData: 1)), [.sendGoawayAndClose(lastStreamID: 0, code: .protocolError)])
        XCTAssertTrue(c.failed)
        XCTAssertEqual(run(&c, .settings(ack: false, HTTP2Settings())), [], "nothing after a connection error")
    }

    func testSettingsNegotiation() {
        var c = HTTP2Connection(role: .server, settings: HTTP2Settings(maxConcurrentStreams: 5, initialWindowSize: 1000))
        XCTAssertEqual(c.localSettings.maxConcurrentStreams, Int(UInt32.max), "not in force before the ACK")
        var actions: [A] = []
        c.receive(.settings(ack: false, HTTP2Settings(maxFrameSize: 32768)), into: &actions)
        XCTAssertEqual(c.remoteSettings.maxFrameSize, 32768)
        c.receive(.settings(ack: true, HTTP2Settings()), into: &actions)
        XCTAssertEqual(c.localSettings.maxConcurrentStreams, 5)
        XCTAssertEqual(c.localSettings.initialWindowSize, 1000)
        c.sendSettings(HTTP2Settings(headerTableSize: 0))
        actions = run(&c, .settings(ack: true, HTTP2Settings()), .settings(ack: true, HTTP2Settings()))
        XCTAssertEqual(actions, [.localSettingsAcknowledged(HTTP2Settings(headerTableSize: 0))], "an ACK with nothing pending changes nothing")
        XCTAssertEqual(c.localSettings.headerTableSize, 0)
    }

    func testARequestAndItsResponse() {
        var c = server()
        XCTAssertEqual(run(&c, headers(1, end: false, endHeaders: false), .continuation(streamID: 1, fragment: 0..<0, endHeaders: true)), [
            .headerFragment(streamID: 1, endHeaders: false, endStream: false, deliver: true),
            .headerFragment(streamID: 1, endHeaders: true, endStream: false, deliver: true),
        ])
        XCTAssertEqual(c.state(of: 1), .open)
        XCTAssertEqual(run(&c, data(1, 10, end: true)), [.data(streamID: 1, endStream: true)])
        XCTAssertEqual(c.state(of: 1), .halfClosedRemote)
        XCTAssertTrue(c.sendHeaders(streamID: 1, endStream: false))
        XCTAssertTrue(c.sendData(streamID: 1, count: 5, endStream: true))
        XCTAssertNil(c.state(of: 1), "closed")
        XCTAssertEqual(c.activeStreams, 0)
        XCTAssertFalse(c.sendData(streamID: 1, count: 1, endStream: false))
        // Frames on the closed stream: WINDOW_UPDATE and PRIORITY are fine, DATA is not.
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 1, increment: 5), .priority(streamID: 1, HTTP2Priority())), [])
        XCTAssertEqual(run(&c, data(1, 1)), [.sendGoawayAndClose(lastStreamID: 1, code: .streamClosed)])
    }

    func testStreamIdentifiers() {
        var c = server()
        XCTAssertEqual(run(&c, headers(2, end: true)), [.sendGoawayAndClose(lastStreamID: 0, code: .protocolError)], "even: a server's")
        c = server()
        _ = run(&c, headers(5, end: true))
        XCTAssertEqual(run(&c, headers(3, end: true)), [.sendGoawayAndClose(lastStreamID: 5, code: .protocolError)], "below one opened")
        c = server()
        XCTAssertEqual(run(&c, .rstStream(streamID: 7, errorCode: 0)), [.sendGoawayAndClose(lastStreamID: 0, code: .protocolError)])
        c = server()
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 7, increment: 1)), [.sendGoawayAndClose(lastStreamID: 0, code: .protocolError)])
        c = server()
        XCTAssertEqual(run(&c, data(7, 1)), [.sendGoawayAndClose(lastStreamID: 0, code: .protocolError)])
    }

    func testHalfClosedRemoteRefusesMoreData() {
        var c = server()
        _ = run(&c, headers(1, end: true))
        XCTAssertEqual(run(&c, data(1, 3)), [.sendRSTStream(streamID: 1, code: .streamClosed)])
        // The peer's frames in flight after the reset are ignored.
        XCTAssertEqual(run(&c, data(1, 3), headers(1, end: true)), [.headerFragment(streamID: 1, endHeaders: true, endStream: true, deliver: false)])
        XCTAssertFalse(c.failed)
    }

    func testTrailersMustEndTheStream() {
        var c = server()
        _ = run(&c, headers(1, end: false))
        XCTAssertEqual(run(&c, headers(1, end: false)), [.sendRSTStream(streamID: 1, code: .protocolError),
                                                         .headerFragment(streamID: 1, endHeaders: true, endStream: false, deliver: false)])
        _ = run(&c, headers(3, end: false))
        XCTAssertEqual(run(&c, headers(3, end: true)), [.headerFragment(streamID: 3, endHeaders: true, endStream: true, deliver: true)])
        XCTAssertEqual(c.state(of: 3), .halfClosedRemote)
    }

    func testConcurrentStreamLimit() {
        var c = server(HTTP2Settings(maxConcurrentStreams: 1))
        _ = run(&c, headers(1, end: false))
        XCTAssertEqual(run(&c, headers(3, end: false)), [.sendRSTStream(streamID: 3, code: .refusedStream),
                                                         .headerFragment(streamID: 3, endHeaders: true, endStream: false, deliver: false)])
        // DATA the peer sent on it meanwhile is ignored, but charged to the connection.
        XCTAssertEqual(run(&c, data(3, 100)), [])
        XCTAssertEqual(c.connectionReceiveWindow.size, 65_535 - 100)
        _ = run(&c, data(1, 0, end: true))
        XCTAssertTrue(c.sendHeaders(streamID: 1, endStream: true))
        XCTAssertEqual(run(&c, headers(5, end: true)), [.headerFragment(streamID: 5, endHeaders: true, endStream: true, deliver: true)])
    }

    func testReceiveFlowControl() {
        var c = server(HTTP2Settings(initialWindowSize: 100))
        _ = run(&c, headers(1, end: false), headers(3, end: false))
        XCTAssertEqual(run(&c, data(1, 90, pad: 9)), [.data(streamID: 1, endStream: false)], "100 bytes with padding: the whole window")
        XCTAssertEqual(run(&c, data(1, 1)), [.sendRSTStream(streamID: 1, code: .flowControlError)])
        // The owner passes data on: WINDOW_UPDATE once half a window is used.
        var actions: [A] = []
        c.consumed(3, 0, into: &actions)
        _ = run(&c, data(3, 40))
        c.consumed(3, 40, into: &actions)
        XCTAssertEqual(actions, [])
        _ = run(&c, data(3, 10))
        c.consumed(3, 10, into: &actions)
        XCTAssertEqual(actions, [.sendWindowUpdate(streamID: 3, increment: 50)])
        // The connection window: 65535 bytes at most, whatever the streams.
        c = server(HTTP2Settings(initialWindowSize: 0x7FFF_FFFF))
        _ = run(&c, headers(1, end: false))
        XCTAssertEqual(run(&c, data(1, 16_384), data(1, 16_384), data(1, 16_384), data(1, 16_383)).count, 4)
        XCTAssertEqual(c.connectionReceiveWindow.size, 0)
        XCTAssertEqual(run(&c, data(1, 1)), [.sendGoawayAndClose(lastStreamID: 1, code: .flowControlError)])
        c = server(HTTP2Settings(initialWindowSize: 0x7FFF_FFFF))
        _ = run(&c, headers(1, end: false), data(1, 40_000))
        actions = []
        c.consumed(1, 40_000, into: &actions)
        XCTAssertEqual(actions, [.sendWindowUpdate(streamID: 0, increment: 40_000)])
        XCTAssertEqual(c.connectionReceiveWindow.size, 65_535)
    }

    func testSendFlowControl() {
        var c = server(peer: HTTP2Settings(initialWindowSize: 100))
        _ = run(&c, headers(1, end: true), headers(3, end: true))
        XCTAssertEqual(c.sendable(streamID: 1), 100)
        XCTAssertFalse(c.sendData(streamID: 1, count: 101, endStream: false))
        XCTAssertTrue(c.sendData(streamID: 1, count: 100, endStream: false))
        XCTAssertEqual(c.sendable(streamID: 1), 0)
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 1, increment: 50)), [.windowOpened(streamID: 1)])
        XCTAssertEqual(c.sendable(streamID: 1), 50)
        // §6.9.2: a smaller initial window can make a window negative.
        XCTAssertEqual(run(&c, .settings(ack: false, HTTP2Settings(initialWindowSize: 20))),
                       [.sendSettingsAck, .peerSettings(HTTP2Settings(initialWindowSize: 20))])
        XCTAssertEqual(c.sendable(streamID: 1), 0)
        XCTAssertEqual(c.sendable(streamID: 3), 20)
        XCTAssertEqual(run(&c, .settings(ack: false, HTTP2Settings(initialWindowSize: 200))),
                       [.sendSettingsAck, .peerSettings(HTTP2Settings(initialWindowSize: 200)), .windowOpened(streamID: 1), .windowOpened(streamID: 3)])
        XCTAssertEqual(c.sendable(streamID: 1), 150, "-30 + 180")
        // The peer's SETTINGS_MAX_FRAME_SIZE bounds one frame; the connection window all streams.
        c = server(peer: HTTP2Settings(initialWindowSize: 0x7FFF_FFFF))
        _ = run(&c, headers(1, end: true))
        XCTAssertEqual(c.sendable(streamID: 1), 16_384)
        for _ in 0..<3 { XCTAssertTrue(c.sendData(streamID: 1, count: 16_384, endStream: false)) }
        XCTAssertEqual(c.sendable(streamID: 1), 16_383)
        // Windows past 2^31 - 1: the stream's is a stream error, the connection's a connection error.
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 1, increment: 49_152)), [.windowOpened(streamID: 1)], "back to 2^31 - 1")
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 1, increment: 1)), [.sendRSTStream(streamID: 1, code: .flowControlError)])
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 0, increment: 0x7FFF_FFFF - 16_383)), [.windowOpened(streamID: 0)])
        XCTAssertEqual(run(&c, .windowUpdate(streamID: 0, increment: 1)), [.sendGoawayAndClose(lastStreamID: 1, code: .flowControlError)])
        // An initial window change that overflows an open stream's window.
        c = server()
        _ = run(&c, headers(1, end: true), .windowUpdate(streamID: 1, increment: 0x7FFF_FFFF - 65_535))
        XCTAssertEqual(run(&c, .settings(ack: false, HTTP2Settings(initialWindowSize: 65_536))),
                       [.sendGoawayAndClose(lastStreamID: 1, code: .flowControlError)])
    }

    func testPingGoawayAndShutdown() {
        var c = server()
        XCTAssertEqual(run(&c, .ping(ack: false, opaqueData: 7), .ping(ack: true, opaqueData: 8)), [.sendPingAck(7), .pingAcknowledged(8)])
        _ = run(&c, headers(1, end: false))
        var actions: [A] = []
        c.shutdown(into: &actions)
        XCTAssertEqual(actions, [.sendGoaway(lastStreamID: 1, code: .noError)])
        XCTAssertEqual(run(&c, headers(3, end: true)), [.headerFragment(streamID: 3, endHeaders: true, endStream: true, deliver: false)])
        XCTAssertEqual(run(&c, data(1, 1, end: true)), [.data(streamID: 1, endStream: true)], "streams already open are served")
        XCTAssertEqual(run(&c, .goaway(lastStreamID: 0, errorCode: 0, debugData: 0..<0)), [.peerGoaway(lastStreamID: 0, code: 0)])
    }

    func testFrameErrors() {
        var c = server()
        _ = run(&c, headers(1, end: false))
        var actions: [A] = []
        c.receive(HTTP2FrameError(.stream(1), .protocolError, .zeroWindowIncrement), into: &actions)
        XCTAssertEqual(actions, [.sendRSTStream(streamID: 1, code: .protocolError)])
        XCTAssertNil(c.state(of: 1))
        actions = []
        c.receive(HTTP2FrameError(.connection, .frameSizeError, .payloadLength), into: &actions)
        XCTAssertEqual(actions, [.sendGoawayAndClose(lastStreamID: 1, code: .frameSizeError)])
        XCTAssertTrue(c.failed)
    }

    func testClientPushAndResponses() {
        var c = HTTP2Connection(role: .client, settings: HTTP2Settings())
        var actions: [A] = []
        c.receive(.settings(ack: false, HTTP2Settings()), into: &actions)
        XCTAssertTrue(c.sendHeaders(streamID: 1, endStream: true))
        XCTAssertFalse(c.sendHeaders(streamID: 1, endStream: true), "half-closed on this end")
        XCTAssertFalse(c.sendHeaders(streamID: 2, endStream: true), "even: a server's")
        actions = run(&c, .pushPromise(streamID: 1, promisedStreamID: 2, fragment: 0..<0, endHeaders: true, padLength: nil))
        XCTAssertEqual(actions, [.headerFragment(streamID: 1, endHeaders: true, endStream: false, deliver: true)])
        XCTAssertEqual(c.state(of: 2), .reservedRemote)
        XCTAssertEqual(run(&c, headers(2, end: false)), [.headerFragment(streamID: 2, endHeaders: true, endStream: false, deliver: true)])
        XCTAssertEqual(c.state(of: 2), .halfClosedLocal)
        XCTAssertEqual(run(&c, headers(1, end: false), headers(1, end: true)).count, 2, "1xx, then the response")
        XCTAssertNil(c.state(of: 1))
    }
}
