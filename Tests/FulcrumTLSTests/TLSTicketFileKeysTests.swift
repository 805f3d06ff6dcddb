import XCTest
@testable import FulcrumTLS

/// Ticket keys from a `tls-ticket-keys` file in the same ring the derived
/// keys use: HAProxy's layout (name, AES key, HMAC key; 48 or 80 bytes), the
/// one before last encrypts, the last three decrypt and a ticket under one
/// that does not encrypt is renewed. Real handshakes for resumption.
final class TLSTicketFileKeysTests: XCTestCase {
    func testHAProxyLayoutAndWhichKeyEncrypts() throws {
        let bytes = (0..<80).map { UInt8($0) }
        let wide = try XCTUnwrap(TLSTicketRing.Key(haproxyBytes: bytes))
        XCTAssertEqual(wide.name, Array(bytes[0..<16]))
        XCTAssertEqual(wide.aes, Array(bytes[16..<48]))
        XCTAssertEqual(wide.hmac, Array(bytes[48..<80]))
        XCTAssertEqual(TLSTicketRing.Key(haproxyBytes: Array(bytes[0..<48]))?.hmac, Array(bytes[32..<48]))
        XCTAssertNil(TLSTicketRing.Key(haproxyBytes: Array(bytes[0..<47])))

        let file = keys(5)
        let ring = TLSTicketRing(fileKeys: file)
        XCTAssertEqual(ring.current, file[3], "the one before last encrypts")
        func lookup(_ k: TLSTicketRing.Key) -> Bool? { k.name.withUnsafeBytes { ring.key(named: $0) }?.renew }
        XCTAssertEqual(lookup(file[3]), false)
        XCTAssertEqual(lookup(file[4]), true, "the last decrypts, and renews")
        XCTAssertEqual(lookup(file[2]), true, "the third from last decrypts, and renews")
        XCTAssertNil(lookup(file[1]), "only the last three are kept")
    }
}

/// `count` distinct keys in HAProxy's layout.
private func keys(_ count: Int, size: Int = 48) -> [TLSTicketRing.Key] {
    (0..<count).compactMap { i in TLSTicketRing.Key(haproxyBytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ i * 7) }) }
}

/// File keys resume through the same handshakes as derived keys.
extension TLSTicketRingTests {
    func testTicketsResumeUnderAFileRotatedByOneKey() throws {
        let client = try client()
        let file = keys(5, size: 80)
        let session = try issue(try server(TLSTicketRing(fileKeys: Array(file[0..<3]))), client)
        func resumes(_ ring: TLSTicketRing) throws -> Bool { try self.resumes(try server(ring), client, session) }
        XCTAssertTrue(try resumes(TLSTicketRing(fileKeys: Array(file[1..<4]))), "rotated once: still decrypts")
        XCTAssertFalse(try resumes(TLSTicketRing(fileKeys: Array(file[2..<5]))), "the encrypting key is gone")
        XCTAssertFalse(try resumes(TLSTicketRing(seed: Array(repeating: 1, count: 32))), "file keys and derived keys never mix")
    }
}
