import FulcrumHTTP2
import XCTest

final class HTTP2MessageValidationTests: XCTestCase {
    /// The fields as a decoded list (encoded and decoded, without Huffman
    /// so every byte goes through as sent).
    func list(_ fields: [(String, String)]) -> HPACKHeaderList {
        var encoder = HPACKEncoder(huffman: .never)
        var decoder = HPACKDecoder()
        var list = HPACKHeaderList()
        XCTAssertNoThrow(try decoder.decode(encodeBlock(&encoder, fields, indexing: .withoutIndexing), into: &list))
        return list
    }

    let get = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/a?b")]

    func requestError(_ fields: [(String, String)]) -> HTTP2MessageError? {
        if case .failure(let e) = HTTP2MessageValidation.request(list(fields)) { return e }
        return nil
    }

    func testAValidRequest() throws {
        let l = list(get + [("accept", "*/*"), ("te", "trailers"), ("host", "EXAMPLE.com"), ("x-empty", "")])
        let pseudo = try HTTP2MessageValidation.request(l).get()
        XCTAssertEqual(String(decoding: l.bytes[pseudo.method], as: UTF8.self), "GET")
        XCTAssertEqual(String(decoding: l.bytes[pseudo.path!], as: UTF8.self), "/a?b")
        XCTAssertEqual(String(decoding: l.bytes[pseudo.authority!], as: UTF8.self), "example.com")
        // CONNECT carries only :method and :authority (§8.5).
        XCTAssertNil(requestError([(":method", "CONNECT"), (":authority", "example.com:443")]))
        // OPTIONS * and a request without :authority are fine.
        XCTAssertNil(requestError([(":method", "OPTIONS"), (":scheme", "https"), (":path", "*")]))
    }

    func testPseudoHeaderRules() {
        XCTAssertEqual(requestError(Array(get.dropLast())), .missingPseudoHeader)
        XCTAssertEqual(requestError(Array(get.dropFirst())), .missingPseudoHeader)
        XCTAssertEqual(requestError([(":method", "GET"), (":path", "/")]), .missingPseudoHeader)
        XCTAssertEqual(requestError(get + [(":path", "/again")]), .duplicatePseudoHeader(field: 4))
        XCTAssertEqual(requestError([("accept", "*/*")] + get), .pseudoHeaderAfterRegularField(field: 1))
        XCTAssertEqual(requestError(get + [(":status", "200")]), .undefinedPseudoHeader(field: 4))
        XCTAssertEqual(requestError(get + [(":protocol", "websocket")]), .undefinedPseudoHeader(field: 4))
        XCTAssertEqual(requestError([(":method", "GET"), (":scheme", "http"), (":path", "")]), .emptyPath)
        XCTAssertEqual(requestError([(":method", "CONNECT"), (":authority", "a:1"), (":path", "/")]), .connectWithSchemeOrPath)
        XCTAssertEqual(requestError([(":method", "CONNECT")]), .missingPseudoHeader)
        XCTAssertEqual(requestError(get + [("host", "other.example")]), .hostDiffersFromAuthority)
    }

    func testFieldRules() {
        XCTAssertEqual(requestError(get + [("Accept", "*/*")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [("x y", "1")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [("x:y", "1")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [("", "1")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [(":", "1")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [("x-\u{7F}", "1")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [("x-é", "1")]), .invalidFieldName(field: 4))
        XCTAssertEqual(requestError(get + [("x", "a\r\nb: c")]), .invalidFieldValue(field: 4))
        XCTAssertEqual(requestError(get + [("x", "a\u{0}")]), .invalidFieldValue(field: 4))
        XCTAssertEqual(requestError(get + [("x", " a")]), .invalidFieldValue(field: 4))
        XCTAssertEqual(requestError(get + [("x", "a\t")]), .invalidFieldValue(field: 4))
        XCTAssertNil(requestError(get + [("x", "a \t b\u{1}é")]), "inner whitespace, controls other than NUL/CR/LF, UTF-8")
        for name in ["connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade"] {
            XCTAssertEqual(requestError(get + [(name, "x")]), .connectionSpecificField(field: 4), name)
        }
        XCTAssertEqual(requestError(get + [("te", "gzip")]), .connectionSpecificField(field: 4))
        XCTAssertEqual(HTTP2MessageError.emptyPath.http2ErrorCode, .protocolError)
    }

    func testResponsesAndTrailers() throws {
        let l = list([(":status", "204"), ("server", "fulcrum")])
        XCTAssertEqual(String(decoding: l.bytes[try HTTP2MessageValidation.response(l).get()], as: UTF8.self), "204")
        func responseError(_ f: [(String, String)]) -> HTTP2MessageError? {
            if case .failure(let e) = HTTP2MessageValidation.response(list(f)) { return e }
            return nil
        }
        XCTAssertEqual(responseError([("server", "x")]), .missingPseudoHeader)
        XCTAssertEqual(responseError([(":status", "20")]), .invalidStatus)
        XCTAssertEqual(responseError([(":status", "2x0")]), .invalidStatus)
        XCTAssertEqual(responseError([(":status", "200"), (":status", "200")]), .duplicatePseudoHeader(field: 1))
        XCTAssertEqual(responseError([(":status", "200"), (":path", "/")]), .undefinedPseudoHeader(field: 1))
        XCTAssertEqual(responseError([("server", "x"), (":status", "200")]), .pseudoHeaderAfterRegularField(field: 1))
        XCTAssertNil(HTTP2MessageValidation.trailers(list([("grpc-status", "0")])))
        XCTAssertEqual(HTTP2MessageValidation.trailers(list([(":status", "200")])), .undefinedPseudoHeader(field: 0))
        XCTAssertEqual(HTTP2MessageValidation.trailers(list([("transfer-encoding", "chunked")])), .connectionSpecificField(field: 0))
    }
}
