import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// Typed samples: what the fetches return, HAProxy 2.6's casts between the
/// types (src/sample.c sample_casts), and ACL matching through those casts.
final class SampleTests: XCTestCase {
    func bytes(_ s: String) -> Sample { .bytes(Array(s.utf8)[...]) }

    func testCastsFollowHAProxysMatrix() {
        // to integer: bool 0/1, IPv4 as its number, IPv6 none, strings by their leading digits.
        XCTAssertEqual(Sample.bool(true).integer, 1)
        XCTAssertEqual(Sample.address(IPAddress("10.0.0.1")!).integer, 0x0A00_0001)
        XCTAssertNil(Sample.address(IPAddress("::1")!).integer)
        XCTAssertEqual(bytes("42abc").integer, 42)
        XCTAssertEqual(bytes("-7").integer, -7)
        XCTAssertEqual(bytes("x").integer, 0)
        XCTAssertNil(bytes("").integer, "c_str2int fails on an empty string")
        // to bool: addresses do not cast.
        XCTAssertEqual(Sample.integer(0).boolean, false)
        XCTAssertEqual(bytes("3").boolean, true)
        XCTAssertNil(Sample.address(IPAddress("10.0.0.1")!).boolean)
        // to address: integers are IPv4 (c_int2ip), strings parse IPv4 then IPv6, booleans do not cast.
        XCTAssertEqual(Sample.integer(0x7F00_0001).address, IPAddress("127.0.0.1"))
        XCTAssertEqual(bytes("2001:db8::1").address, IPAddress("2001:db8::1"))
        XCTAssertNil(bytes("2001:db8::1:").address)
        XCTAssertNil(Sample.bool(true).address)
        // to bytes: decimal, inet_ntop text, "0"/"1".
        XCTAssertEqual(Sample.integer(-12).text, "-12")
        XCTAssertEqual(Sample.bool(true).text, "1")
        XCTAssertEqual(Sample.address(IPAddress("::ffff:10.1.2.3")!).text, "::ffff:10.1.2.3")
        XCTAssertEqual(Sample.address(IPAddress("2001:db8::1")!).byteCount, 11)
    }

    func testFetchesReturnTypedSamples() throws {
        let c = ruleContext("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-N: 1, 2\r\nCookie: a=1; b=2\r\n\r\n",
                            response: "HTTP/1.1 404 Not Found\r\n\r\n", src: "192.168.1.10", srcPort: 40000)
        func sample(_ f: String) throws -> Sample? { SampleFetcher.sample(try HTTPFetch(fetch(f)), context: c) }
        XCTAssertEqual(try sample("src"), .address(IPAddress("192.168.1.10")!))
        XCTAssertEqual(try sample("src_port"), .integer(40000))
        XCTAssertEqual(try sample("hdr_cnt(x-n)"), .integer(2))
        XCTAssertEqual(try sample("cook_cnt"), .integer(2))
        XCTAssertEqual(try sample("status"), .integer(404))
        XCTAssertEqual(try sample("always_true"), .bool(true))
        // Strings are slices of the head itself: nothing copied.
        guard case .bytes(let path)? = try sample("path") else { return XCTFail("path is bytes") }
        XCTAssertEqual(String(decoding: path, as: UTF8.self), "/a/b")
        c.request.raw.withUnsafeBufferPointer { raw in
            path.withUnsafeBufferPointer { XCTAssertEqual($0.baseAddress, raw.baseAddress! + path.startIndex) }
        }
    }

    func testMatchersCastTheSample() {
        func m(_ f: String, _ method: MatchMethod, _ p: [String], i: Bool = false, _ c: HTTPRuleContext) -> Bool {
            (try? CompiledACL(aclDef("a", f, method, p, i: i)).matches(c, acls: nil)) ?? false
        }
        let c = ruleContext("GET / HTTP/1.1\r\nX-Ip: 10.1.2.3\r\nX-Num: 0x10\r\nX-Port: 8080\r\n\r\n", src: "10.9.8.7", dstPort: 80)
        // String methods on an address or an integer match their text (c_ip2str, c_int2str).
        XCTAssertTrue(m("src", .str, ["10.9.8.7"], c))
        XCTAssertTrue(m("src", .beg, ["10.9."], c))
        XCTAssertTrue(m("dst_port", .str, ["80"], c))
        XCTAssertTrue(m("src", .len, ["8"], c))
        // ip on a header string parses it; int on an address is its number; a string that is no address matches nothing.
        XCTAssertTrue(m("hdr(x-ip)", .ip, ["10.0.0.0/8"], c))
        XCTAssertFalse(m("hdr(x-num)", .ip, ["0.0.0.0/0"], c))
        XCTAssertTrue(m("src", .int, ["168364039"], c))
        // int on a string reads its leading digits ("0x10" is 0).
        XCTAssertTrue(m("hdr(x-num)", .int, ["0"], c))
        XCTAssertTrue(m("hdr(x-port)", .int, ["8000:8100"], c))
        // bool: addresses do not cast; integers and strings do.
        XCTAssertFalse(m("src", .bool, [], c))
        XCTAssertTrue(m("hdr(x-port)", .bool, [], c))
        // -i folds the sample's case as it compares, patterns were folded once.
        XCTAssertTrue(m("hdr(x-ip)", .sub, ["1.2"], i: true, c))
        XCTAssertFalse(m("method", .str, ["get"], c))
        XCTAssertTrue(m("method", .str, ["get"], i: true, c))
    }

    func testResponsePhaseReadsTheResponse() {
        var c = ruleContext("GET /p HTTP/1.1\r\nX-A: req\r\n\r\n", response: "HTTP/1.1 200 OK\r\nX-A: res\r\n\r\n")
        c.responsePhase = true
        XCTAssertEqual(SampleFetcher.single(.header(name: "x-a", occurrence: nil, full: false, response: false), context: c), "res")
        XCTAssertNil(SampleFetcher.sample(.path, context: c), "request-only fetches yield nothing in http-response rules")
    }
}
