import XCTest
import FulcrumBytes
@testable import FulcrumDNS

final class DNSCodecTests: XCTestCase {
    func testQueryBytes() throws {
        let q = try XCTUnwrap(DNSCodec.query(id: 0x1234, name: "App.Internal.", type: .a))
        XCTAssertEqual(q, [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                           3, 0x41, 0x70, 0x70, 8] + Array("Internal".utf8) + [0, 0, 1, 0, 1])
    }

    func testQueryWithPayloadSizeAddsOPT() throws {
        let q = try XCTUnwrap(DNSCodec.query(id: 1, name: "a.b", type: .aaaa, payloadSize: 8192))
        XCTAssertEqual(Array(q[10..<12]), [0, 1])                 // ARCOUNT
        XCTAssertEqual(Array(q.suffix(11)), [0, 0, 41, 0x20, 0x00, 0, 0, 0, 0, 0, 0])
    }

    func testNamesThatCannotBeEncoded() {
        XCTAssertNil(DNSCodec.query(id: 1, name: "a..b", type: .a))
        XCTAssertNil(DNSCodec.query(id: 1, name: String(repeating: "x", count: 64) + ".com", type: .a))
        let long = Array(repeating: String(repeating: "y", count: 60), count: 5).joined(separator: ".")
        XCTAssertNil(DNSCodec.query(id: 1, name: long, type: .a))
    }

    func testAnswersRoundTripWithCompression() throws {
        var b = DNSResponseBuilder(id: 7, question: "www.example.com", type: .a)
        b.add(DNSRecord(name: "www.example.com", ttl: 30, data: .cname("web.example.com")))
        b.add(DNSRecord(name: "web.example.com", ttl: 30, data: .a(IPv4Address(10, 0, 0, 1))))
        b.add(DNSRecord(name: "web.example.com", ttl: 30, data: .a(IPv4Address(10, 0, 0, 2))))
        // The second answer's name is one pointer, two bytes.
        XCTAssertTrue(b.bytes.count < 100)
        let r = try DNSCodec.decode(b.bytes).get()
        XCTAssertEqual(r.id, 7)
        XCTAssertEqual(r.questionName, "www.example.com")
        XCTAssertEqual(r.answers.count, 3)
        XCTAssertEqual(r.answers[0].data, .cname("web.example.com"))
        XCTAssertEqual(DNSAnswer.outcome(r, name: "WWW.example.com.", type: .a),
                       .addresses([.v4(IPv4Address(10, 0, 0, 1)), .v4(IPv4Address(10, 0, 0, 2))]))
        XCTAssertEqual(DNSAnswer.outcome(r, name: "www.example.com", type: .aaaa), .other)
    }

    func testAAAAAndSRVWithAdditional() throws {
        let v6 = try XCTUnwrap(IPv6Address("fd00::5"))
        var b = DNSResponseBuilder(id: 9, question: "_http._tcp.app.internal", type: .srv)
        b.add(DNSRecord(name: "_http._tcp.app.internal", ttl: 5, data: .srv(priority: 0, weight: 20, port: 8080, target: "a.app.internal")))
        b.add(DNSRecord(name: "_http._tcp.app.internal", ttl: 5, data: .srv(priority: 0, weight: 10, port: 8081, target: "b.app.internal")))
        b.add(DNSRecord(name: "a.app.internal", ttl: 5, data: .a(IPv4Address(127, 0, 0, 9))), to: .additional)
        b.add(DNSRecord(name: "b.app.internal", ttl: 5, data: .aaaa(v6)), to: .additional)
        let r = try DNSCodec.decode(b.bytes).get()
        XCTAssertEqual(r.additional.count, 2)
        guard case .services(let s) = DNSAnswer.outcome(r, name: "_http._tcp.app.internal", type: .srv) else { return XCTFail() }
        XCTAssertEqual(s, [DNSService(target: "a.app.internal", port: 8080, weight: 20, priority: 0, address: .v4(IPv4Address(127, 0, 0, 9))),
                           DNSService(target: "b.app.internal", port: 8081, weight: 10, priority: 0, address: .v6(v6))])
    }

    func testResponseCodes() throws {
        for (code, outcome) in [(DNSResponseCode.nameError, DNSOutcome.nameError), (.refused, .refused), (.serverFailure, .other)] {
            let b = DNSResponseBuilder(id: 1, responseCode: code, question: "x.y", type: .a)
            let r = try DNSCodec.decode(b.bytes).get()
            XCTAssertEqual(r.responseCode, code.rawValue)
            XCTAssertEqual(DNSAnswer.outcome(r, name: "x.y", type: .a), outcome)
        }
        // No answer at all: HAProxy's ANCOUNT_ZERO, an "other" error.
        let empty = try DNSCodec.decode(DNSResponseBuilder(id: 1, question: "x.y", type: .a).bytes).get()
        XCTAssertEqual(DNSAnswer.outcome(empty, name: "x.y", type: .a), .other)
    }

    func testTruncatedResponseKeepsWholeAnswers() throws {
        var b = DNSResponseBuilder(id: 3, truncated: true, question: "t.example", type: .a)
        b.add(DNSRecord(name: "t.example", ttl: 1, data: .a(IPv4Address(1, 2, 3, 4))))
        b.add(DNSRecord(name: "t.example", ttl: 1, data: .a(IPv4Address(1, 2, 3, 5))), to: .additional)
        let cut = Array(b.bytes.dropLast(3))
        let r = try DNSCodec.decode(cut).get()
        XCTAssertTrue(r.truncated)
        XCTAssertEqual(r.answers.count, 1)
        XCTAssertEqual(r.additional, [])
        // Not flagged truncated, the same cut is malformed.
        var notFlagged = cut
        notFlagged[2] &= ~0x02
        XCTAssertEqual(DNSCodec.decode(notFlagged).failureValue, .malformed)
    }

    func testMalformedInputs() {
        XCTAssertEqual(DNSCodec.decode([1, 2, 3]).failureValue, .tooShort)
        let query = DNSCodec.query(id: 1, name: "a.b", type: .a)!
        XCTAssertEqual(DNSCodec.decode(query).failureValue, .notAResponse)
        // A pointer to itself (a loop) and a forward pointer are refused.
        var loop: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        XCTAssertEqual(DNSCodec.decode(loop).failureValue, .malformed)
        loop[13] = 14
        XCTAssertEqual(DNSCodec.decode(loop).failureValue, .malformed)
        // Answer count larger than the records present.
        var b = DNSResponseBuilder(id: 1, question: "a.b", type: .a)
        b.add(DNSRecord(name: "a.b", ttl: 1, data: .a(IPv4Address(1, 1, 1, 1))))
        var bytes = b.bytes
        bytes[7] = 2
        XCTAssertEqual(DNSCodec.decode(bytes).failureValue, .malformed)
        // Every prefix of a valid message decodes or fails without trapping.
        for n in 0..<b.bytes.count { _ = DNSCodec.decode(Array(b.bytes.prefix(n))) }
    }

    func testCNAMELoopIsOther() throws {
        var b = DNSResponseBuilder(id: 1, question: "a.x", type: .a)
        b.add(DNSRecord(name: "a.x", ttl: 1, data: .cname("b.x")))
        b.add(DNSRecord(name: "b.x", ttl: 1, data: .cname("a.x")))
        let r = try DNSCodec.decode(b.bytes).get()
        XCTAssertEqual(DNSAnswer.outcome(r, name: "a.x", type: .a), .other)
    }

    /// An answer of a CNAME only (its target has no record of the type):
    /// an "other" outcome that haproxy counts as cname_error; a CNAME
    /// followed by its address is not.
    func testAnswerEndingWithCNAME() throws {
        var b = DNSResponseBuilder(id: 1, question: "alias.x", type: .a)
        b.add(DNSRecord(name: "alias.x", ttl: 1, data: .cname("target.x")))
        let only = try DNSCodec.decode(b.bytes).get()
        XCTAssertEqual(DNSAnswer.verdict(only, name: "alias.x"), .cnameError)
        XCTAssertEqual(DNSAnswer.outcome(only, name: "alias.x", type: .a), .other)
        b.add(DNSRecord(name: "target.x", ttl: 1, data: .a(IPv4Address(10, 0, 0, 7))))
        let through = try DNSCodec.decode(b.bytes).get()
        XCTAssertEqual(DNSAnswer.verdict(through, name: "alias.x"), .valid)
        XCTAssertEqual(DNSAnswer.outcome(through, name: "alias.x", type: .a), .addresses([.v4(IPv4Address(10, 0, 0, 7))]))
        let empty = try DNSCodec.decode(DNSResponseBuilder(id: 1, question: "x.y", type: .a).bytes).get()
        XCTAssertEqual(DNSAnswer.verdict(empty, name: "x.y"), .anyError)
    }

    /// haproxy 2.6's verdicts beyond the last CNAME: a CNAME whose target
    /// has no address but another name does is still a CNAME error (not
    /// valid, and its address is not taken); an answer about another name
    /// first is invalid; truncation counts for A but not SRV; an answer to
    /// another question is other; a record of another type for the chain's
    /// end leaves the response valid (with no address in it).
    func testVerdictsAsHAProxy() throws {
        func response(_ records: [DNSRecord], question: String = "alias.x", type: DNSType = .a,
                      truncated: Bool = false) throws -> DNSResponse {
            var b = DNSResponseBuilder(id: 1, truncated: truncated, question: question, type: type)
            for r in records { b.add(r) }
            return try DNSCodec.decode(b.bytes).get()
        }
        let cname = DNSRecord(name: "alias.x", ttl: 1, data: .cname("target.x"))
        let stray = DNSRecord(name: "other.x", ttl: 1, data: .a(IPv4Address(10, 0, 0, 9)))
        let strayAfterCNAME = try response([cname, stray])
        XCTAssertEqual(DNSAnswer.verdict(strayAfterCNAME, name: "alias.x"), .cnameError)
        XCTAssertEqual(DNSAnswer.outcome(strayAfterCNAME, name: "alias.x", type: .a), .other)
        XCTAssertEqual(DNSAnswer.verdict(try response([stray]), name: "alias.x"), .invalid)
        let address = DNSRecord(name: "alias.x", ttl: 1, data: .a(IPv4Address(10, 0, 0, 1)))
        XCTAssertEqual(DNSAnswer.verdict(try response([address], truncated: true), name: "alias.x"), .truncated)
        let service = DNSRecord(name: "_h._tcp.x", ttl: 1, data: .srv(priority: 0, weight: 1, port: 80, target: "a.x"))
        XCTAssertEqual(DNSAnswer.verdict(try response([service], question: "_h._tcp.x", type: .srv, truncated: true), name: "_h._tcp.x"), .valid)
        XCTAssertEqual(DNSAnswer.verdict(try response([address]), name: "ALIAS.x."), .valid)
        XCTAssertEqual(DNSAnswer.verdict(try response([address]), name: "b.x"), .other)
        let text = DNSRecord(name: "target.x", ttl: 1, data: .other(type: 16))
        XCTAssertEqual(DNSAnswer.verdict(try response([cname, text]), name: "alias.x"), .valid)
        XCTAssertEqual(DNSAnswer.outcome(try response([cname, text]), name: "alias.x", type: .a), .other)
    }
}

/// `decode` takes any bytes (a fuzzer's contract): mutated answers decode
/// or fail, never trap, and whatever decodes is sorted without trapping.
final class DNSDecodeRobustnessTests: XCTestCase {
    func testMutatedMessagesNeverTrap() {
        var b = DNSResponseBuilder(id: 5, question: "_s._tcp.a.example", type: .srv)
        b.add(DNSRecord(name: "_s._tcp.a.example", ttl: 9, data: .srv(priority: 1, weight: 2, port: 3, target: "t.a.example")))
        b.add(DNSRecord(name: "t.a.example", ttl: 9, data: .cname("u.a.example")))
        b.add(DNSRecord(name: "u.a.example", ttl: 9, data: .a(IPv4Address(1, 2, 3, 4))), to: .additional)
        let seed = b.bytes
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state & 0x7FFF_FFFF)
        }
        var decoded = 0
        for _ in 0..<20_000 {
            var m = seed
            for _ in 0...(next() % 4) {
                switch next() % 3 {
                case 0: m[next() % m.count] = UInt8(truncatingIfNeeded: next())
                case 1: m.insert(UInt8(truncatingIfNeeded: next()), at: next() % m.count)
                default: if m.count > 1 { m.remove(at: next() % m.count) }
                }
            }
            if case .success(let r) = DNSCodec.decode(m) {
                decoded += 1
                _ = DNSAnswer.outcome(r, name: r.questionName, type: .srv)
                _ = DNSAnswer.outcome(r, name: r.questionName, type: .a)
            }
        }
        XCTAssertGreaterThan(decoded, 0)
    }
}

extension Result {
    var failureValue: Failure? { if case .failure(let f) = self { return f } else { return nil } }
}
