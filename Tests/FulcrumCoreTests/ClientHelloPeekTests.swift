import XCTest
@testable import FulcrumCore

/// req.ssl_hello_type, req.ssl_ver, req.ssl_sni and req.ssl_alpn over real
/// ClientHellos, byte by byte: "need more" until the message is complete.
final class ClientHelloPeekTests: XCTestCase {
    typealias Peek = ClientHelloPeek

    func testServerNameAndALPNFromARealClientHello() {
        XCTAssertEqual(Peek.serverName(ClientHelloFixtures.sni), .value("www.Example.com"), "as sent, case kept")
        XCTAssertEqual(Peek.alpn(ClientHelloFixtures.sni), .value(["h2", "http/1.1"]))
        XCTAssertEqual(Peek.serverName(ClientHelloFixtures.tls12), .value("a.example"))
        XCTAssertEqual(Peek.alpn(ClientHelloFixtures.tls12), .absent)
    }

    func testNoServerNameExtension() {
        XCTAssertEqual(Peek.serverName(ClientHelloFixtures.nosni), .absent)
        XCTAssertEqual(Peek.helloType(ClientHelloFixtures.nosni), .value(1))
    }

    func testHelloTypeAndVersion() {
        for hello in [ClientHelloFixtures.sni, ClientHelloFixtures.nosni, ClientHelloFixtures.tls12] {
            XCTAssertEqual(Peek.helloType(hello), .value(1))
            // client_version is 3.3 (TLS 1.2; TLS 1.3 goes in an extension).
            XCTAssertEqual(Peek.version(hello, limit: 15360), .value(0x0003_0003))
        }
    }

    func testEveryPrefixNeedsMore() {
        let hello = ClientHelloFixtures.sni
        for n in 0..<hello.count {
            let prefix = Array(hello[..<n])
            XCTAssertEqual(Peek.serverName(prefix), .needMore, "prefix \(n)")
            XCTAssertEqual(Peek.helloType(prefix), .needMore, "prefix \(n)")
            XCTAssertEqual(Peek.alpn(prefix), .needMore, "prefix \(n)")
            XCTAssertEqual(Peek.version(prefix, limit: 15360), .needMore, "prefix \(n)")
        }
        // A record longer than the buffer is judged on what fits.
        XCTAssertEqual(Peek.version(Array(hello[..<20]), limit: 10), .value(0x0003_0003))
    }

    func testNotTLS() {
        let http = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        XCTAssertEqual(Peek.serverName(http), .notTLS)
        XCTAssertEqual(Peek.helloType(http), .notTLS)
        XCTAssertEqual(Peek.version(http, limit: 15360), .notTLS)
        XCTAssertEqual(Peek.alpn(http), .notTLS)
        // SSL 2.0 record version is refused by the SSLv3-format readers.
        var old = ClientHelloFixtures.sni
        old[1] = 0x02
        XCTAssertEqual(Peek.serverName(old), .notTLS)
        XCTAssertEqual(Peek.helloType(old), .notTLS)
        // A ServerHello (type 2) is a handshake, but not a ClientHello.
        var server = ClientHelloFixtures.sni
        server[5] = 0x02
        XCTAssertEqual(Peek.helloType(server), .value(2))
        XCTAssertEqual(Peek.serverName(server), .notTLS)
    }

    func testSSLv2FormatHello() {
        // 2-byte header, CLIENT-HELLO, version 3.1, 3 bytes of ciphers, no session, 16-byte challenge.
        var v2: [UInt8] = [0x80, 0x1C, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x2F]
        v2 += [UInt8](repeating: 7, count: 16)
        XCTAssertEqual(Peek.version(v2, limit: 15360), .value(0x0003_0001))
        XCTAssertEqual(Peek.version(Array(v2.dropLast()), limit: 15360), .needMore)
        XCTAssertEqual(Peek.helloType(v2), .notTLS, "req.ssl_hello_type reads SSLv3-format records only")
    }

    /// Where `needle` starts in `hello` (the fixtures' own bytes, found
    /// rather than counted, so a corruption lands where it is meant to).
    private func offset(of needle: [UInt8], in hello: [UInt8]) throws -> Int {
        try XCTUnwrap((0...(hello.count - needle.count)).first { Array(hello[$0..<($0 + needle.count)]) == needle })
    }

    /// Lengths that point past what holds them: the fetch fails (not TLS),
    /// it does not wait and never reads past the bytes it was given.
    func testMalformedHellos() throws {
        let hello = ClientHelloFixtures.sni
        let name = try offset(of: Array("www.Example.com".utf8), in: hello)
        var longName = hello
        longName[name - 1] = 0xFF   // host_name length beyond its list
        XCTAssertEqual(Peek.serverName(longName), .notTLS)
        var longList = hello
        longList[name - 4] = 0xFF   // server_name_list length beyond the extension
        XCTAssertEqual(Peek.serverName(longList), .notTLS)
        var longExtension = hello
        longExtension[name - 6] = 0xFF   // extension length beyond the extensions block
        XCTAssertEqual(Peek.serverName(longExtension), .notTLS)
        XCTAssertEqual(Peek.alpn(longExtension), .notTLS)
        let alpn = try offset(of: [0x02] + Array("h2".utf8) + [0x08], in: hello)
        var emptyProtocol = hello
        emptyProtocol[alpn] = 0   // a zero-length protocol name
        XCTAssertEqual(Peek.alpn(emptyProtocol), .notTLS)
        XCTAssertEqual(Peek.serverName(emptyProtocol), .value("www.Example.com"), "SNI comes before ALPN")
        var longSession = hello
        longSession[5 + 4 + 34] = 33   // session id longer than 32
        XCTAssertEqual(Peek.serverName(longSession), .notTLS)
        var shortHandshake = hello
        shortHandshake[6] = 0; shortHandshake[7] = 0; shortHandshake[8] = 10   // too short for a ClientHello
        XCTAssertEqual(Peek.serverName(shortHandshake), .notTLS)
        XCTAssertEqual(Peek.helloType(shortHandshake), .value(1), "the type is read once its 10 bytes are there")
        // A record announcing more than it carries waits (the rest may come).
        XCTAssertEqual(Peek.serverName(Array(hello.dropLast())), .needMore)
    }
}
