import XCTest
@testable import FulcrumCompression

final class CompressionHeaderEditsTests: XCTestCase {
    func testResponseEditsForContentLengthResponse() {
        let edits = CompressionHeaderEdits.response(algorithm: .gzip, chunked: false, etag: "\"abc\"")
        XCTAssertEqual(edits, [
            .remove(name: "Content-Length"),
            .add(name: "Transfer-Encoding", value: "chunked"),
            .set(name: "ETag", value: "W/\"abc\""),
            .add(name: "Vary", value: "Accept-Encoding"),
            .add(name: "Content-Encoding", value: "gzip"),
        ])
        let head: [(name: String, value: String)] = [
            ("Content-Type", "text/plain"), ("content-length", "600"), ("ETag", "\"abc\""), ("Vary", "Cookie"),
        ]
        let result = CompressionHeaderEdits.apply(edits, to: head)
        XCTAssertEqual(result.map { "\($0.name): \($0.value)" }, [
            "Content-Type: text/plain", "ETag: W/\"abc\"", "Vary: Cookie",
            "Transfer-Encoding: chunked", "Vary: Accept-Encoding", "Content-Encoding: gzip",
        ])
    }

    func testChunkedIdentityAndWeakETag() {
        XCTAssertEqual(CompressionHeaderEdits.response(algorithm: .identity, chunked: true, etag: "W/\"x\""), [
            .remove(name: "Content-Length"),
            .add(name: "Vary", value: "Accept-Encoding"),
        ])
        XCTAssertEqual(CompressionHeaderEdits.response(algorithm: .rawDeflate, chunked: true, etag: nil).last,
                       .add(name: "Content-Encoding", value: "deflate"))
    }

    func testWeakETag() {
        XCTAssertEqual(CompressionHeaderEdits.weakETag("\"v1\""), "W/\"v1\"")
        XCTAssertNil(CompressionHeaderEdits.weakETag("W/\"v1\""))
    }

    func testOffloadRemovesAcceptEncodingOnlyWhenNegotiated() {
        let negotiated = CompressionChoice(algorithm: .gzip, fromAcceptEncoding: true)
        let fallback = CompressionChoice(algorithm: .identity, fromAcceptEncoding: false)
        XCTAssertEqual(CompressionHeaderEdits.request(choice: negotiated, offload: true), [.remove(name: "Accept-Encoding")])
        XCTAssertEqual(CompressionHeaderEdits.request(choice: negotiated, offload: false), [])
        XCTAssertEqual(CompressionHeaderEdits.request(choice: fallback, offload: true), [])
        XCTAssertEqual(CompressionHeaderEdits.request(choice: nil, offload: true), [])
    }

    func testApplySetCollapsesDuplicatesInPlace() {
        let result = CompressionHeaderEdits.apply([.set(name: "etag", value: "W/\"a\"")],
                                                  to: [("A", "1"), ("ETag", "\"a\""), ("B", "2"), ("ETag", "\"b\"")])
        XCTAssertEqual(result.map { "\($0.name)=\($0.value)" }, ["A=1", "ETag=W/\"a\"", "B=2"])
    }
}
