import XCTest
@testable import FulcrumHTTP

final class HTTPFramingTests: XCTestCase {
    /// Builds a head without the parser's refusals, to test framing alone.
    private func head(_ s: String, acceptInvalid: Bool = true) -> HTTPHead {
        let bytes = Array(s.utf8)
        let response = s.hasPrefix("HTTP/")
        let limits = HTTPLimits(acceptInvalid: acceptInvalid)
        // Framing errors are also parser errors: strip them by parsing field
        // lines only when needed.
        switch response ? HTTPParser.parseResponse(bytes, limits: limits) : HTTPParser.parseRequest(bytes, limits: limits) {
        case .complete(let h, _): return h
        default: return HTTPParserTestsSupport.unchecked(bytes, response: response)
        }
    }

    private func method(_ m: String) -> ArraySlice<UInt8> { Array(m.utf8)[...] }

    func testRequestFraming() {
        XCTAssertEqual(HTTPFraming.request(head("GET / HTTP/1.1\r\n\r\n")), .success(.none))
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")), .success(.none))
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n")), .success(.contentLength(7)))
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n")),
                       .success(.contentLength(5)))
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n")), .success(.chunked))
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")),
                       .success(.chunked))
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")), .success(.chunked))
        for bad in ["Content-Length: 5\r\nContent-Length: 6", "Content-Length: 5, 6", "Content-Length: +5", "Content-Length: -5",
                    "Content-Length: 5 5", "Content-Length: ", "Content-Length: 9223372036854775808",
                    "Transfer-Encoding: gzip", "Transfer-Encoding: chunked, gzip", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
                    "Transfer-Encoding: xchunked", "Transfer-Encoding: chunked,,"] {
            guard case .failure(let e) = HTTPFraming.request(head("POST / HTTP/1.1\r\n\(bad)\r\n\r\n")) else { XCTFail(bad); continue }
            XCTAssertEqual(e.status, 400, bad)
        }
        XCTAssertEqual(HTTPFraming.request(head("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n")),
                       .success(.contentLength(Int.max)))
    }

    func testResponseFraming() {
        let get = method("GET")
        func r(_ s: String, _ m: ArraySlice<UInt8>) -> Result<HTTPBodyFraming, HTTPError> { HTTPFraming.response(head(s), requestMethod: m) }
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", method("HEAD")), .success(.none))
        XCTAssertEqual(r("HTTP/1.1 204 No Content\r\n\r\n", get), .success(.none))
        XCTAssertEqual(r("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", get), .success(.none))
        XCTAssertEqual(r("HTTP/1.1 100 Continue\r\n\r\n", get), .success(.none))
        XCTAssertEqual(r("HTTP/1.1 101 Switching Protocols\r\n\r\n", get), .success(.none))
        XCTAssertEqual(r("HTTP/1.1 200 Connection established\r\n\r\n", method("CONNECT")), .success(.untilClose))
        XCTAssertEqual(r("HTTP/1.1 407 Proxy Auth\r\nContent-Length: 3\r\n\r\n", method("CONNECT")), .success(.contentLength(3)))
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", get), .success(.chunked))
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", get).failureStatus, 502)
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", get).failureStatus, 502)
        XCTAssertEqual(r("HTTP/1.1 20 OK\r\nContent-Length: 3\r\n\r\n", get), .success(.none))
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", get), .success(.contentLength(3)))
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", get), .success(.none))
        XCTAssertEqual(r("HTTP/1.0 200 OK\r\n\r\n", get), .success(.untilClose))
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", get).failureStatus, 502)
        XCTAssertEqual(r("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", method("head")).failureStatus, 502, "methods are case-sensitive")
    }

    func testLengthConflictIsSeenInEitherOrder() {
        func conflict(_ s: String) -> Bool? {
            guard case .success(let l) = HTTPFraming.lengthFields(head(s)) else { return nil }
            return l.contentLengthBesideTransferEncoding
        }
        XCTAssertEqual(conflict("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), true)
        XCTAssertEqual(conflict("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), true)
        XCTAssertEqual(conflict("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), false)
        XCTAssertEqual(conflict("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), false)
    }

    /// Requests framed two ways reach the normalization only under
    /// accept-invalid-http-request (the parser refuses them otherwise).
    func testNormalizationAsHAProxyForwards() {
        func normalized(_ s: String) -> String {
            var h = head(s, acceptInvalid: true)
            HTTPNormalization.apply(&h)
            var out: [UInt8] = []
            h.serialize(into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        XCTAssertEqual(normalized("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        XCTAssertEqual(normalized("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\nHost: x\r\nhost: X\r\n\r\n"),
                       "POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\n\r\n")
        XCTAssertEqual(normalized("POST / HTTP/1.1\r\nContent-Length: 005\r\nContent-Length: 5\r\n\r\n"),
                       "POST / HTTP/1.1\r\nContent-Length: 005\r\n\r\n")
    }

    /// A response framed two ways loses every Content-Length (chunked frames
    /// it) and says so; any other response is left untouched.
    func testResponseNormalizationDropsContentLengthBesideChunked() {
        func normalized(_ s: String) -> (String, Bool, Bool) {
            var h = head(s)
            let conflict = HTTPNormalization.applyToResponse(&h)
            var out: [UInt8] = []
            h.serialize(into: &out)
            return (String(decoding: out, as: UTF8.self), conflict, h.isUnmodified)
        }
        let both = normalized("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nX: y\r\n\r\n")
        XCTAssertEqual(both.0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n")
        XCTAssertTrue(both.1)
        let teFirst = normalized("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n")
        XCTAssertEqual(teFirst.0, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        XCTAssertTrue(teFirst.1)
        for plain in ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                      "HTTP/1.0 200 OK\r\n\r\n"] {
            let n = normalized(plain)
            XCTAssertEqual(n.0, plain)
            XCTAssertFalse(n.1, plain)
            XCTAssertTrue(n.2, "\(plain): forwarded as received")
        }
    }
}

extension Result where Failure == HTTPError {
    var failureStatus: Int? { if case .failure(let e) = self { return e.status } else { return nil } }
}

/// Heads the parser would refuse, built directly (name: value per line).
enum HTTPParserTestsSupport {
    static func unchecked(_ bytes: [UInt8], response: Bool) -> HTTPHead {
        var lines: [Range<Int>] = []
        var s = 0
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 {
                if i == s { break }
                lines.append(s..<i); s = i + 2; i += 2
            } else { i += 1 }
        }
        let first = lines.removeFirst()
        let sp = bytes[first].enumerated().filter { $0.element == 32 }.map { $0.offset + first.lowerBound }
        var fields: [HTTPHead.Field] = []
        for l in lines {
            let colon = bytes[l].firstIndex(of: 58)!
            var v = colon + 1
            while v < l.upperBound && bytes[v] == 32 { v += 1 }
            fields.append(.init(name: l.lowerBound..<colon, value: v..<l.upperBound))
        }
        let status = response ? Int(String(decoding: bytes[(sp[0] + 1)..<(sp[0] + 4)], as: UTF8.self))! : 0
        return HTTPHead(kind: response ? .response : .request, raw: bytes, part1: first.lowerBound..<sp[0],
                        part2: (sp[0] + 1)..<(sp.count > 1 ? sp[1] : first.upperBound),
                        part3: (sp.count > 1 ? sp[1] + 1 : first.upperBound)..<first.upperBound,
                        version: .http11, status: status, fields: fields)
    }
}
