import XCTest
@testable import FulcrumTLS

/// Ticket keys from a `tls-ticket-keys` file in the same ring the derived
/// keys use: HAProxy's layout (name, AES key, HMAC key; 48 or 80 bytes), the
/// one before last encrypts, the last three decrypt and a ticket under one
/// that does not encrypt is renewed. Real handshakes for resumption.
final class TLSTicketFileKeysTests: XCTestCase {
    let pki = TestPKI.shared

    func keys(_ count: Int, size: Int = 48, tag: UInt8 = 0) -> [TLSTicketRing.Key] {
        (0..<count).compactMap { i in TLSTicketRing.Key(haproxyBytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ i * 7) ^ tag }) }
    }

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

    func testTicketsResumeUnderAFileRotatedByOneKey() throws {
        func server(_ ring: TLSTicketRing) throws -> TLSContext {
            var o = TLSContextOptions()
            o.maxVersion = .tls1_2
            let c = try TLSContext(serverCertificateFile: pki.serverFile, options: o)
            c.useTicketRing(ring)
            return c
        }
        var co = TLSContextOptions()
        co.verify = .required
        co.caFile = pki.caFile
        let client = try TLSContext(role: .client, options: co)
        let file = keys(5, size: 80)
        let issuing = try server(TLSTicketRing(fileKeys: Array(file[0..<3])))
        let first = try TLSPair(server: issuing, client: client, serverName: "localhost")
        XCTAssertEqual(first.handshake(), .done)
        let session = try XCTUnwrap(first.client.session)
        first.close()
        func resumes(_ server: TLSContext) throws -> Bool {
            let pair = try TLSPair(server: server, client: client, serverName: "localhost", session: session)
            defer { pair.close() }
            XCTAssertEqual(pair.handshake(), .done)
            return pair.server.handshakeInfo?.sessionReused == true
        }
        XCTAssertTrue(try resumes(try server(TLSTicketRing(fileKeys: Array(file[1..<4])))), "rotated once: still decrypts")
        XCTAssertFalse(try resumes(try server(TLSTicketRing(fileKeys: Array(file[2..<5])))), "the encrypting key is gone")
        let derived = try server(TLSTicketRing(seed: Array(repeating: 1, count: 32)))
        XCTAssertFalse(try resumes(derived), "file keys and derived keys never mix")
    }
}
