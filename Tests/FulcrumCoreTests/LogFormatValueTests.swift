import XCTest
import CAllocationCounter
import FulcrumBytes
import FulcrumConfig
import FulcrumLog
@testable import FulcrumCore

/// Log-format values (set-header, redirect, use_backend) with the variables a
/// rule knows and the served converters.
final class LogFormatValueTests: XCTestCase {
    let context = ruleContext("GET /api/v1?x=1 HTTP/1.1\r\nHost: Ab\r\n\r\n", src: "2001:db8::5", srcPort: 41000)

    func testVariablesWriteWhatTheConnectionAndRequestLineSay() throws {
        let value = LogFormat(text: "", parts: [
            .literal("c="), .variable(.clientIP, []), .literal(":"), .variable(.clientPort, []), .literal(" "),
            .variable(.frontendIP, .hexadecimal), .literal(":"), .variable(.frontendPort, []), .literal(" "),
            .variable(.requestLine, .quote), .literal(" "), .variable(.httpMethod, []), .literal(" "),
            .variable(.httpPath, []), .literal(" "), .variable(.httpQuery, []), .literal(" "), .variable(.httpVersion, []),
        ])
        let compiled = try CompiledLogFormat(value)
        XCTAssertNil(compiled.constant)
        let expected = #"c=2001:db8::5:41000 0A000001:80 "GET /api/v1?x=1 HTTP/1.1" GET /api/v1 ?x=1 HTTP/1.1"#
        XCTAssertEqual(String(decoding: compiled.bytes(context: context, acls: nil), as: UTF8.self), expected)
        XCTAssertEqual(compiled.string(context: context, acls: nil), expected)
    }

    func testTheRequestLineIsTheOneReceivedNotTheRewrittenOne() throws {
        var ctx = context
        ctx.request.targetOverride = Array("/rewritten".utf8)
        let compiled = try CompiledLogFormat(LogFormat(text: "%HU", parts: [.variable(.httpURI, [])]))
        XCTAssertEqual(compiled.string(context: ctx, acls: nil), "/api/v1?x=1")
    }

    func testConverters() throws {
        func expand(_ converters: [SampleConverter], _ f: String = "hdr(host)") throws -> String {
            let compiled = try CompiledLogFormat(LogFormat(text: "", parts: [.sample(SampleFetch(name: fetch(f).name, arguments: fetch(f).arguments, converters: converters))]))
            let viaBytes = String(decoding: compiled.bytes(context: context, acls: nil), as: UTF8.self)
            XCTAssertEqual(viaBytes, compiled.string(context: context, acls: nil))
            return viaBytes
        }
        XCTAssertEqual(try expand([.lower]), "ab")
        XCTAssertEqual(try expand([.upper]), "AB")
        XCTAssertEqual(try expand([.hex]), "4162")
        XCTAssertEqual(try expand([.base64]), "QWI=")
        XCTAssertEqual(try expand([.upper, .hex, .base64]), "NDE0Mg==")
        XCTAssertEqual(try expand([.base64], "path"), "L2FwaS92MQ==")
        XCTAssertEqual(try expand([.hex], "hdr(x-none)"), "")
        // Typed samples: hex and base64 read the binary form, as haproxy 2.6 does.
        XCTAssertEqual(try expand([.hex], "src"), "20010DB8000000000000000000000005")
        XCTAssertEqual(try expand([.hex], "src_port"), "000000000000A028")
        XCTAssertEqual(try expand([.base64], "dst"), "CgAAAQ==")
        XCTAssertEqual(try expand([.lower], "dst_port"), "80")
    }

    func testVariablesARuleCannotAnswerAreRefused() {
        XCTAssertThrowsError(try CompiledLogFormat(LogFormat(text: "%Tt", parts: [.variable(.totalTime, [])]))) { error in
            XCTAssertEqual((error as? HTTPRulesError)?.message, "log-format variable '%Tt' is not available outside log lines")
        }
    }

    func testAValueWithVariablesAndConvertersCostsOneAllocation() throws {
        #if DEBUG
        throw XCTSkip("allocation budgets hold for optimized code: swift test -c release --filter LogFormatValueTests")
        #else
        let compiled = try CompiledLogFormat(LogFormat(text: "", parts: [
            .variable(.clientIP, []), .literal(":"), .variable(.clientPort, []), .literal(" "),
            .variable(.requestLine, .quote), .sample(SampleFetch(name: "path", converters: [.upper, .hex])),
        ]))
        var keep: [UInt8] = []
        for _ in 0..<10 { keep = compiled.bytes(context: context, acls: nil) }
        fulcrum_allocations_reset()
        for _ in 0..<100 { keep = compiled.bytes(context: context, acls: nil) }
        XCTAssertEqual(Double(fulcrum_allocations_count()) / 100, 1, "the value's own array only")
        XCTAssertFalse(keep.isEmpty)
        #endif
    }
}
