import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// `http-request normalize-uri`: each normalizer on the targets of the 2.6
/// manual's examples, with the results haproxy 2.6.12 gave for them.
final class URINormalizationTests: XCTestCase {
    func apply(_ n: URINormalizer, _ target: String) -> String {
        switch URINormalization.apply(n, to: Array(target.utf8)[...]) {
        case .unchanged: return target
        case .changed(let t): return String(decoding: t, as: UTF8.self)
        case .invalid: return "<400>"
        }
    }

    func testPathNormalizers() {
        XCTAssertEqual(apply(.pathMergeSlashes, "//a///b"), "/a/b")
        XCTAssertEqual(apply(.pathMergeSlashes, "/foo//../"), "/foo/../")
        XCTAssertEqual(apply(.pathMergeSlashes, "/a?x=//y"), "/a?x=//y", "the query is left alone")
        for (input, output) in [("/.", "/"), ("/./bar/", "/bar/"), ("/a/./a", "/a/a"), ("/.well-known/", "/.well-known/"), ("/a/.", "/a/")] {
            XCTAssertEqual(apply(.pathStripDot, input), output, input)
        }
        for (input, output) in [("/foo/../", "/"), ("/foo/../bar/", "/bar/"), ("/foo/bar/../", "/foo/"), ("/../bar/", "/../bar/"),
                                ("/bar/../../", "/../"), ("/foo//../", "/foo/"), ("/foo/%2E%2E/", "/foo/%2E%2E/"), ("/foo/..", "/")] {
            XCTAssertEqual(apply(.pathStripDotDot(full: false), input), output, input)
        }
        XCTAssertEqual(apply(.pathStripDotDot(full: true), "/../bar/"), "/bar/")
        XCTAssertEqual(apply(.pathStripDotDot(full: true), "/bar/../../"), "/")
    }

    func testPercentNormalizers() {
        XCTAssertEqual(apply(.percentDecodeUnreserved(strict: false), "/%61dmin"), "/admin")
        XCTAssertEqual(apply(.percentDecodeUnreserved(strict: false), "/foo%3Fbar=baz"), "/foo%3Fbar=baz")
        XCTAssertEqual(apply(.percentDecodeUnreserved(strict: false), "/%zz"), "/%zz")
        XCTAssertEqual(apply(.percentDecodeUnreserved(strict: true), "/%zz"), "<400>")
        XCTAssertEqual(apply(.percentToUppercase(strict: false), "/%6f"), "/%6F")
        XCTAssertEqual(apply(.percentToUppercase(strict: false), "/%zz"), "/%zz")
        XCTAssertEqual(apply(.percentToUppercase(strict: true), "/%zz"), "<400>")
    }

    func testQuerySortKeepsEqualNamesInOrder() {
        XCTAssertEqual(apply(.querySortByName, "/?c=3&a=1&b=2"), "/?a=1&b=2&c=3")
        XCTAssertEqual(apply(.querySortByName, "/?aaa=3&a=1&aa=2"), "/?a=1&aa=2&aaa=3")
        XCTAssertEqual(apply(.querySortByName, "/?a=3&b=4&a=1&b=5&a=2"), "/?a=3&a=1&a=2&b=4&b=5")
        XCTAssertEqual(apply(.querySortByName, "/no-query"), "/no-query")
    }
}
