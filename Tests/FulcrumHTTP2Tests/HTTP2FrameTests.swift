import FulcrumHTTP2
import XCTest

final class HTTP2FrameTests: XCTestCase {
    /// Decodes one frame that must fill `bytes` exactly.
    func decode(_ bytes: [UInt8], role: HTTP2FrameDecoder.Role = .server, file: StaticString = #filePath, line: UInt = #line) -> HTTP2Frame? {
        var decoder = HTTP2FrameDecoder(role: role)
        guard case .frame(let frame, let consumed) = decoder.decode(bytes) else {
            XCTFail("not a frame: \(decoder.decode(bytes))", file: file, line: line)
            return nil
        }
        XCTAssertEqual(consumed, bytes.count, file: file, line: line)
        return frame
    }

    func error(_ bytes: [UInt8], role: HTTP2FrameDecoder.Role = .server, decoder: HTTP2FrameDecoder? = nil) -> HTTP2FrameError? {
        var d = decoder ?? HTTP2FrameDecoder(role: role)
        if case .error(let e, _) = d.decode(bytes) { return e }
        return nil
    }

    func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameHeader(length: payload.count, type: type, flags: flags, streamID: stream).write(into: &out)
        return out + payload
    }

    func conn(_ code: HTTP2ErrorCode, _ reason: HTTP2FrameError.Reason) -> HTTP2FrameError { HTTP2FrameError(.connection, code, reason) }

    func testHeaderLayout() {
        var out: [UInt8] = []
        HTTP2FrameHeader(length: 0x010203, type: 7, flags: 0x25, streamID: 0x7FFF_FFFE).write(into: &out)
        XCTAssertEqual(out, [0x01, 0x02, 0x03, 0x07, 0x25, 0x7F, 0xFF, 0xFF, 0xFE])
        // The reserved bit is ignored on receipt.
        let h = [UInt8]([0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x03]).withUnsafeBytes { HTTP2FrameHeader($0) }
        XCTAssertEqual(h?.streamID, 3)
        XCTAssertNil([UInt8](repeating: 0, count: 8).withUnsafeBytes { HTTP2FrameHeader($0) })
    }

    func testRoundTripEveryType() throws {
        let body = Array("hello, frames".utf8)
        var out: [UInt8] = []

        HTTP2FrameEncoder.writeData(streamID: 1, data: body, endStream: true, padLength: 5, into: &out)
        guard case .data(1, let r, true, 5)? = decode(out) else { return XCTFail() }
        XCTAssertEqual(Array(out[r]), body)
        XCTAssertEqual(decode(out)?.flowControlledLength, body.count + 6)

        out = []
        HTTP2FrameEncoder.writeData(streamID: 3, data: [UInt8](), endStream: false, into: &out)
        XCTAssertEqual(decode(out), .data(streamID: 3, data: 9..<9, endStream: false, padLength: nil))

        out = []
        let priority = HTTP2Priority(exclusive: true, dependency: 7, weight: 200)
        HTTP2FrameEncoder.writeHeaders(streamID: 5, fragment: body, endStream: false, endHeaders: true, priority: priority, padLength: 2, into: &out)
        guard case .headers(5, let f, false, true, priority?, 2)? = decode(out) else { return XCTFail() }
        XCTAssertEqual(Array(out[f]), body)

        out = []
        HTTP2FrameEncoder.writePriority(streamID: 9, HTTP2Priority(exclusive: false, dependency: 1, weight: 0), into: &out)
        XCTAssertEqual(decode(out), .priority(streamID: 9, HTTP2Priority(exclusive: false, dependency: 1, weight: 0)))

        out = []
        HTTP2FrameEncoder.writeRSTStream(streamID: 11, errorCode: 0xDEAD, into: &out)
        XCTAssertEqual(decode(out), .rstStream(streamID: 11, errorCode: 0xDEAD))

        out = []
        let settings = HTTP2Settings(headerTableSize: 0, enablePush: false, maxConcurrentStreams: 100, initialWindowSize: 0x7FFF_FFFF,
                                     maxFrameSize: 16_777_215, maxHeaderListSize: 8192)
        HTTP2FrameEncoder.writeSettings(settings, into: &out)
        XCTAssertEqual(out.count, 9 + 36)
        XCTAssertEqual(decode(out), .settings(ack: false, settings))
        XCTAssertEqual(decode(out, role: .client), .settings(ack: false, settings))

        out = []
        HTTP2FrameEncoder.writeSettingsAck(into: &out)
        XCTAssertEqual(decode(out), .settings(ack: true, HTTP2Settings()))

        out = []
        HTTP2FrameEncoder.writePushPromise(streamID: 1, promisedStreamID: 2, fragment: body, endHeaders: true, padLength: 1, into: &out)
        guard case .pushPromise(1, 2, let pf, true, 1)? = decode(out, role: .client) else { return XCTFail() }
        XCTAssertEqual(Array(out[pf]), body)

        out = []
        HTTP2FrameEncoder.writePing(opaqueData: 0x0102_0304_0506_0708, ack: true, into: &out)
        XCTAssertEqual(decode(out), .ping(ack: true, opaqueData: 0x0102_0304_0506_0708))

        out = []
        HTTP2FrameEncoder.writeGoaway(lastStreamID: 41, errorCode: HTTP2ErrorCode.enhanceYourCalm.rawValue, debugData: body, into: &out)
        guard case .goaway(41, 0xb, let d)? = decode(out) else { return XCTFail() }
        XCTAssertEqual(Array(out[d]), body)

        out = []
        HTTP2FrameEncoder.writeWindowUpdate(streamID: 0, increment: 0x7FFF_FFFF, into: &out)
        XCTAssertEqual(decode(out), .windowUpdate(streamID: 0, increment: 0x7FFF_FFFF))

        // A header block split over HEADERS and CONTINUATIONs.
        out = []
        let block = Array(0..<40).map(UInt8.init)
        HTTP2FrameEncoder.writeHeaderBlock(streamID: 13, block: block[...], endStream: true, maxFrameSize: 16, into: &out)
        var decoder = HTTP2FrameDecoder(role: .server)
        var joined: [UInt8] = [], at = 0, frames = 0
        while at < out.count {
            guard case .frame(let frame, let consumed) = out[at...].withUnsafeBytes({ decoder.decode($0) }) else { return XCTFail() }
            switch frame {
            case .headers(13, let f, true, false, nil, nil): joined += out[(at + f.lowerBound)..<(at + f.upperBound)]
            case .continuation(13, let f, let end): joined += out[(at + f.lowerBound)..<(at + f.upperBound)]; XCTAssertEqual(end, at + consumed == out.count)
            default: XCTFail("\(frame)")
            }
            at += consumed
            frames += 1
        }
        XCTAssertEqual(joined, block)
        XCTAssertEqual(frames, 3)
        XCTAssertNil(decoder.openHeaderBlock)
    }

    func testPartialFramesNeedMore() {
        var out: [UInt8] = []
        HTTP2FrameEncoder.writePing(opaqueData: 1, ack: false, into: &out)
        var d = HTTP2FrameDecoder(role: .server)
        for n in 0..<out.count { XCTAssertEqual(Array(out[0..<n]).withUnsafeBytes { d.decode($0) }, .needMore) }
        // Two frames back to back: the first is consumed alone.
        guard case .frame(_, let consumed) = d.decode(out + out) else { return XCTFail() }
        XCTAssertEqual(consumed, 17)
    }

    func testUnknownTypesAreIgnored() {
        let bytes = frame(0xFA, flags: 0xFF, stream: 3, [1, 2, 3])
        XCTAssertEqual(decode(bytes), .unknown(HTTP2FrameHeader(length: 3, type: 0xFA, flags: 0xFF, streamID: 3)))
    }

    func testLengthRules() {
        var d = HTTP2FrameDecoder(role: .server)
        let big = frame(0, stream: 1, [UInt8](repeating: 0, count: 16_385))
        XCTAssertEqual(error(big), conn(.frameSizeError, .frameTooLarge))
        // Refused from the header alone: the payload is not awaited.
        XCTAssertEqual(Array(big[0..<9]).withUnsafeBytes { d.decode($0) }, .error(conn(.frameSizeError, .frameTooLarge), consumed: 0))
        d.maxFrameSize = 16_385
        guard case .frame = d.decode(big) else { return XCTFail() }

        XCTAssertEqual(error(frame(2, stream: 1, [0, 0, 0, 0])), HTTP2FrameError(.stream(1), .frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(3, stream: 1, [0, 0, 0])), conn(.frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(4, [0, 1, 0, 0, 0])), conn(.frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(4, flags: 1, [0, 0, 0, 0, 0, 0])), conn(.frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(6, [UInt8](repeating: 0, count: 7))), conn(.frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(6, [UInt8](repeating: 0, count: 9))), conn(.frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(7, [0, 0, 0, 0, 0, 0, 0])), conn(.frameSizeError, .payloadTooShort))
        XCTAssertEqual(error(frame(8, stream: 1, [0, 0, 1])), conn(.frameSizeError, .payloadLength))
        XCTAssertEqual(error(frame(8, stream: 1, [0, 0, 0, 0, 1])), conn(.frameSizeError, .payloadLength))
        // PADDED without room for Pad Length; PRIORITY without its 5 bytes.
        XCTAssertEqual(error(frame(0, flags: 0x8, stream: 1, [])), conn(.frameSizeError, .payloadTooShort))
        XCTAssertEqual(error(frame(1, flags: 0x24, stream: 1, [0, 0, 0, 0])), conn(.frameSizeError, .payloadTooShort))
        XCTAssertEqual(error(frame(5, flags: 0x4, stream: 1, [0, 0, 2]), role: .client), conn(.frameSizeError, .payloadTooShort))
    }

    func testPaddingRules() {
        // Padding as long as the payload: DATA, HEADERS (with and without priority), PUSH_PROMISE.
        XCTAssertEqual(error(frame(0, flags: 0x8, stream: 1, [3, 0, 0])), conn(.protocolError, .paddingTooLong))
        XCTAssertEqual(decode(frame(0, flags: 0x8, stream: 1, [2, 0, 0])), .data(streamID: 1, data: 10..<10, endStream: false, padLength: 2))
        XCTAssertEqual(error(frame(1, flags: 0x0C, stream: 1, [2, 0])), conn(.protocolError, .paddingTooLong))
        XCTAssertEqual(decode(frame(1, flags: 0x0C, stream: 1, [1, 0])),
                       .headers(streamID: 1, fragment: 10..<10, endStream: false, endHeaders: true, priority: nil, padLength: 1))
        XCTAssertEqual(error(frame(1, flags: 0x2C, stream: 1, [1, 0, 0, 0, 0, 16])), conn(.protocolError, .paddingTooLong))
        XCTAssertEqual(error(frame(5, flags: 0x0C, stream: 1, [1, 0, 0, 0, 2]), role: .client), conn(.protocolError, .paddingTooLong))
    }

    func testStreamIdentifierRules() {
        for type: UInt8 in [0, 1, 2, 3, 9] {
            XCTAssertEqual(error(frame(type, flags: 0x4, stream: 0, [0, 0, 0, 1, 16].prefix(type == 3 ? 4 : 5).map { $0 })),
                           conn(.protocolError, .streamIDZero), "type \(type)")
        }
        XCTAssertEqual(error(frame(5, flags: 0x4, stream: 0, [0, 0, 0, 2]), role: .client), conn(.protocolError, .streamIDZero))
        XCTAssertEqual(error(frame(4, stream: 1, [])), conn(.protocolError, .streamIDNotZero))
        XCTAssertEqual(error(frame(6, stream: 1, [UInt8](repeating: 0, count: 8))), conn(.protocolError, .streamIDNotZero))
        XCTAssertEqual(error(frame(7, stream: 1, [UInt8](repeating: 0, count: 8))), conn(.protocolError, .streamIDNotZero))
        // A stream depending on itself: PRIORITY, and HEADERS whose block still has to be decoded.
        XCTAssertEqual(error(frame(2, stream: 3, [0, 0, 0, 3, 16])), HTTP2FrameError(.stream(3), .protocolError, .selfDependency))
        var d = HTTP2FrameDecoder(role: .server)
        guard case .frameWithStreamError(.headers(3, _, _, true, _, nil), let e, 15) = d.decode(frame(1, flags: 0x24, stream: 3, [0, 0, 0, 3, 16, 0x82])) else {
            return XCTFail()
        }
        XCTAssertEqual(e, HTTP2FrameError(.stream(3), .protocolError, .selfDependency))
    }

    func testSettingsValues() {
        func setting(_ id: UInt16, _ value: UInt32) -> [UInt8] {
            frame(4, [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
        }
        XCTAssertEqual(error(setting(2, 2)), conn(.protocolError, .enablePushValue))
        XCTAssertEqual(decode(setting(2, 1)), .settings(ack: false, HTTP2Settings(enablePush: true)))
        XCTAssertEqual(error(setting(2, 1), role: .client), conn(.protocolError, .pushEnabledByServer))
        XCTAssertEqual(decode(setting(4, 0x7FFF_FFFF)), .settings(ack: false, HTTP2Settings(initialWindowSize: 0x7FFF_FFFF)))
        XCTAssertEqual(error(setting(4, 0x8000_0000)), conn(.flowControlError, .initialWindowSizeTooLarge))
        XCTAssertEqual(error(setting(5, 16_383)), conn(.protocolError, .maxFrameSizeOutOfRange))
        XCTAssertEqual(error(setting(5, 16_777_216)), conn(.protocolError, .maxFrameSizeOutOfRange))
        XCTAssertEqual(decode(setting(5, 16_384)), .settings(ack: false, HTTP2Settings(maxFrameSize: 16_384)))
        // Unknown identifiers are ignored; a repeated one keeps its last value.
        XCTAssertEqual(decode(setting(0x99, 7)), .settings(ack: false, HTTP2Settings()))
        let twice = setting(3, 10) + setting(3, 20)[9...]
        var joined = Array(twice)
        joined[2] = 12
        XCTAssertEqual(decode(joined), .settings(ack: false, HTTP2Settings(maxConcurrentStreams: 20)))
    }

    func testPushPromiseToAServer() {
        XCTAssertEqual(error(frame(5, flags: 0x4, stream: 1, [0, 0, 0, 2])), conn(.protocolError, .pushPromiseToServer))
    }

    func testWindowUpdateZeroIncrement() {
        XCTAssertEqual(error(frame(8, stream: 0, [0, 0, 0, 0])), conn(.protocolError, .zeroWindowIncrement))
        XCTAssertEqual(error(frame(8, stream: 5, [0x80, 0, 0, 0])), HTTP2FrameError(.stream(5), .protocolError, .zeroWindowIncrement))
        XCTAssertEqual(decode(frame(8, stream: 5, [0x80, 0, 0, 1])), .windowUpdate(streamID: 5, increment: 1))
    }

    func testContinuationSequencing() {
        XCTAssertEqual(error(frame(9, flags: 0x4, stream: 1, [0x82])), conn(.protocolError, .unexpectedContinuation))
        var d = HTTP2FrameDecoder(role: .server)
        guard case .frame = d.decode(frame(1, stream: 1, [0x82])) else { return XCTFail() }
        XCTAssertEqual(d.openHeaderBlock, 1)
        // Anything but that stream's CONTINUATION is refused, unknown types too.
        for other in [frame(9, stream: 3, [0x82]), frame(0xFA, stream: 1, []), frame(6, [UInt8](repeating: 0, count: 8)), frame(0, stream: 1, [])] {
            var copy = d
            XCTAssertEqual(error(other, decoder: copy), conn(.protocolError, .continuationExpected))
            _ = copy.decode([])
        }
        guard case .frame(.continuation(1, _, false), _) = d.decode(frame(9, stream: 1, [0x84])) else { return XCTFail() }
        guard case .frame(.continuation(1, _, true), _) = d.decode(frame(9, flags: 0x4, stream: 1, [0x86])) else { return XCTFail() }
        XCTAssertNil(d.openHeaderBlock)
        XCTAssertEqual(error(frame(9, flags: 0x4, stream: 1, [0x82]), decoder: d), conn(.protocolError, .unexpectedContinuation))
    }

    func testPreface() {
        XCTAssertEqual(HTTP2Preface.check(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0]), .complete(24))
        XCTAssertEqual(HTTP2Preface.check(Array("PRI * HTTP/2".utf8)), .needMore)
        XCTAssertEqual(HTTP2Preface.check([]), .needMore)
        XCTAssertEqual(HTTP2Preface.check(Array("GET / HTTP/1.1\r\n".utf8)), .mismatch)
        XCTAssertEqual(HTTP2Preface.check(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r".utf8)), .mismatch)
    }

    func testErrorCodes() {
        XCTAssertEqual(HTTP2ErrorCode.allCases.map(\.rawValue), Array(0...13))
        XCTAssertEqual(HTTP2ErrorCode(rawValue: 0x9), .compressionError)
        XCTAssertNil(HTTP2ErrorCode(rawValue: 0xE))
    }
}
