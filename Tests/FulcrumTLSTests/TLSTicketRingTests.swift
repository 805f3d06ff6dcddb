import XCTest
@testable import FulcrumTLS

/// Ticket keys that rotate: two contexts with rings from one seed (two
/// workers) resume each other's tickets; an hour later the ticket still
/// resumes (and is renewed under the new key); past the session lifetime's
/// periods, or under another seed, it does not. Real handshakes.
final class TLSTicketRingTests: XCTestCase {
    let pki = TestPKI.shared
    let seed = (0..<32).map { UInt8($0) }

    final class Clock: @unchecked Sendable { var now = 1_000_000 * 3600 }

    func server(_ ring: TLSTicketRing) throws -> TLSContext {
        var o = TLSContextOptions()
        o.maxVersion = .tls1_2
        let c = try TLSContext(serverCertificateFile: pki.serverFile, options: o)
        c.useTicketRing(ring)
        return c
    }

    func client() throws -> TLSContext {
        var o = TLSContextOptions()
        o.verify = .required
        o.caFile = pki.caFile
        return try TLSContext(role: .client, options: o)
    }

    /// A full handshake with `server`: the session the client got.
    func issue(_ server: TLSContext, _ client: TLSContext) throws -> TLSSession {
        let first = try TLSPair(server: server, client: client, serverName: "localhost")
        defer { first.close() }
        XCTAssertEqual(first.handshake(), .done)
        return try XCTUnwrap(first.client.session)
    }

    /// Whether `server` resumes `session`.
    func resumes(_ server: TLSContext, _ client: TLSContext, _ session: TLSSession) throws -> Bool {
        let pair = try TLSPair(server: server, client: client, serverName: "localhost", session: session)
        defer { pair.close() }
        XCTAssertEqual(pair.handshake(), .done)
        return pair.server.handshakeInfo?.sessionReused == true
    }

    func testKeysFollowTheirPeriodAndNameIt() {
        let clock = Clock()
        let ring = TLSTicketRing(seed: seed, period: 3600, sessionLifetime: 300, now: { clock.now })
        let first = ring.current
        XCTAssertEqual(first.name.count, 16)
        XCTAssertEqual(first.hmac.count, 32)
        XCTAssertEqual(first.aes.count, 32)
        clock.now += 3599
        XCTAssertEqual(ring.current, first)
        clock.now += 1
        XCTAssertNotEqual(ring.current, first)
        let found = first.name.withUnsafeBytes { ring.key(named: $0) }
        XCTAssertEqual(found?.key, first)
        XCTAssertEqual(found?.renew, true)
        clock.now += 3600
        XCTAssertNil(first.name.withUnsafeBytes { ring.key(named: $0) }, "beyond the lifetime's periods")
        let other = TLSTicketRing(seed: seed.map { $0 ^ 1 }, now: { clock.now })
        XCTAssertNil(other.current.name.withUnsafeBytes { ring.key(named: $0) }, "another seed's key")
    }

    func testTicketsResumeAcrossContextsAndRotation() throws {
        let clock = Clock()
        let workerA = try server(TLSTicketRing(seed: seed, now: { clock.now }))
        let workerB = try server(TLSTicketRing(seed: seed, now: { clock.now }))
        let client = try client()

        let session = try issue(workerA, client)
        func resumes(_ server: TLSContext) throws -> Bool { try self.resumes(server, client, session) }
        XCTAssertTrue(try resumes(workerB), "the other worker derives the same key")
        clock.now += 3600
        XCTAssertTrue(try resumes(workerB), "the previous period's key still decrypts")
        clock.now += 3600
        XCTAssertFalse(try resumes(workerA), "two periods on, the key is retired")
        let stranger = try server(TLSTicketRing(seed: seed.map { $0 ^ 0xff }, now: { clock.now }))
        clock.now -= 7200
        XCTAssertFalse(try resumes(stranger))
    }
}
