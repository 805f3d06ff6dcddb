import XCTest
@testable import FulcrumCompression

/// Each case was checked against haproxy 2.6.12 (see CompressionNegotiationTests).
final class ResponseEligibilityTests: XCTestCase {
    struct Response {
        var status = 200
        var contentEncoding: String? = nil
        var cacheControl: [String] = []
        var contentType: String? = "text/plain"
        var contentLength: Int? = 600
        var types: [String] = []
        var method = "GET"
        var chunked = false
        var etags: [String] = []
        var requestHTTP11 = true
        var responseHTTP11 = true

        var refusal: CompressionRefusal? {
            CompressionNegotiation.responseRefusal(
                status: status, contentEncoding: contentEncoding, cacheControl: cacheControl,
                contentType: contentType, contentLength: contentLength, types: types,
                requestMethod: method, chunked: chunked, etags: etags,
                requestIsHTTP11: requestHTTP11, responseIsHTTP11: responseHTTP11)
        }
        var eligible: Bool {
            CompressionNegotiation.responseEligible(
                status: status, contentEncoding: contentEncoding, cacheControl: cacheControl,
                contentType: contentType, contentLength: contentLength, types: types,
                requestMethod: method, chunked: chunked, etags: etags,
                requestIsHTTP11: requestHTTP11, responseIsHTTP11: responseHTTP11)
        }
    }

    func with(_ change: (inout Response) -> Void) -> Response { var r = Response(); change(&r); return r }

    func testPlainResponseIsEligible() {
        XCTAssertNil(Response().refusal)
        XCTAssertTrue(Response().eligible)
    }

    func testStatuses() {
        for s in [200, 201, 202, 203] { XCTAssertTrue(with { $0.status = s }.eligible, "\(s)") }
        for s in [100, 204, 206, 301, 304, 404, 500] {
            XCTAssertEqual(with { $0.status = s }.refusal, .status, "\(s)")
            XCTAssertFalse(with { $0.status = s }.eligible)
        }
    }

    func testVersionsAndHead() {
        XCTAssertEqual(with { $0.requestHTTP11 = false }.refusal, .notHTTP11)
        XCTAssertEqual(with { $0.responseHTTP11 = false }.refusal, .notHTTP11)
        XCTAssertEqual(with { $0.method = "HEAD" }.refusal, .headRequest)
        XCTAssertNil(with { $0.method = "POST" }.refusal)
    }

    func testBodyLength() {
        XCTAssertEqual(with { $0.contentLength = nil }.refusal, .noTransferLength)
        XCTAssertEqual(with { $0.contentLength = 0 }.refusal, .emptyBody)
        // An empty chunked body is still compressed (haproxy sends an empty gzip member).
        XCTAssertNil(with { $0.contentLength = nil; $0.chunked = true }.refusal)
        XCTAssertNil(with { $0.contentLength = 0; $0.chunked = true }.refusal)
    }

    func testExistingEncoding() {
        XCTAssertEqual(with { $0.contentEncoding = "gzip" }.refusal, .alreadyEncoded)
        XCTAssertEqual(with { $0.contentEncoding = "identity" }.refusal, .alreadyEncoded)
        XCTAssertEqual(with { $0.contentEncoding = "" }.refusal, .alreadyEncoded)
    }

    func testNoTransform() {
        XCTAssertEqual(with { $0.cacheControl = ["no-transform"] }.refusal, .noTransform)
        XCTAssertEqual(with { $0.cacheControl = ["max-age=3, No-Transform"] }.refusal, .noTransform)
        XCTAssertEqual(with { $0.cacheControl = ["public", "no-transform "] }.refusal, .noTransform)
        XCTAssertNil(with { $0.cacheControl = ["no-transformx"] }.refusal)
        XCTAssertNil(with { $0.cacheControl = ["no-cache, max-age=0"] }.refusal)
    }

    func testETags() {
        XCTAssertNil(with { $0.etags = ["\"abc\""] }.refusal)
        XCTAssertNil(with { $0.etags = ["W/\"abc\""] }.refusal)
        XCTAssertEqual(with { $0.etags = ["abc"] }.refusal, .invalidETag)
        XCTAssertEqual(with { $0.etags = ["\""] }.refusal, .invalidETag)
        XCTAssertEqual(with { $0.etags = ["w/\"abc\""] }.refusal, .invalidETag)
        XCTAssertEqual(with { $0.etags = ["\"a\"", "\"b\""] }.refusal, .multipleETags)
    }

    func testContentTypes() {
        XCTAssertEqual(with { $0.contentType = "multipart/mixed" }.refusal, .multipart)
        XCTAssertEqual(with { $0.contentType = "Multipart/form-data; boundary=x" }.refusal, .multipart)
        // Without `compression type`, any other type (or none) is compressed.
        XCTAssertNil(with { $0.contentType = "image/png" }.refusal)
        XCTAssertNil(with { $0.contentType = nil }.refusal)
        let listed = ["text/html", "text/plain"]
        XCTAssertNil(with { $0.types = listed; $0.contentType = "TEXT/HTML; charset=utf-8" }.refusal)
        XCTAssertNil(with { $0.types = listed; $0.contentType = "text/plain" }.refusal)
        XCTAssertEqual(with { $0.types = listed; $0.contentType = "application/json" }.refusal, .typeNotListed)
        XCTAssertEqual(with { $0.types = listed; $0.contentType = nil }.refusal, .typeNotListed)
        // HAProxy compares a prefix.
        XCTAssertNil(with { $0.types = ["text/"]; $0.contentType = "text/css" }.refusal)
    }
}
