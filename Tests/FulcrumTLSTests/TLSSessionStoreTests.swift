import Glibc
import XCTest
import FulcrumPosix
@testable import FulcrumTLS

/// Which sessions go into the shared session-id store: those resumed by id
/// (TLS 1.2 or 1.3 without tickets), not TLS 1.3 sessions with stateless
/// tickets, which a client resumes with the ticket alone. (With TLS 1.2
/// tickets OpenSSL gives the session no id, so nothing is stored either.)
final class TLSSessionStoreTests: XCTestCase {
    final class CountingStore: TLSSessionStore, @unchecked Sendable {
        var saved = 0
        func save(id: UnsafeRawBufferPointer, session: UnsafeRawBufferPointer, expiry: UInt32) { saved += 1 }
        func withSession(id: UnsafeRawBufferPointer, now: UInt32, _ body: (UnsafeRawBufferPointer) -> OpaquePointer?) -> OpaquePointer? { nil }
        func remove(id: UnsafeRawBufferPointer) {}
    }

    private func sessionsSaved(_ configure: (inout TLSContextOptions) -> Void) throws -> Int {
        let pki = TestPKI.shared
        var o = TLSContextOptions()
        configure(&o)
        let server = try TLSContext(serverCertificateFile: pki.serverFile, options: o)
        let store = CountingStore()
        server.useSessionStore(store)
        var c = TLSContextOptions()
        c.verify = .required
        c.caFile = pki.caFile
        let pair = try TLSPair(server: server, client: try TLSContext(role: .client, options: c))
        XCTAssertEqual(pair.handshake(), .done)
        // TLS 1.3 tickets follow the handshake: let the client read them.
        XCTAssertEqual(try pair.transfer(Array("ping".utf8), from: pair.server, to: pair.client), Array("ping".utf8))
        return store.saved
    }

    func testOnlySessionsResumableByIDAreStored() throws {
        XCTAssertEqual(try sessionsSaved { _ in }, 0, "TLS 1.3 with tickets: resumed by ticket only")
        XCTAssertGreaterThan(try sessionsSaved { $0.sessionTickets = false }, 0, "TLS 1.3 without tickets: by id")
        XCTAssertGreaterThan(try sessionsSaved { $0.maxVersion = .tls1_2; $0.sessionTickets = false }, 0, "TLS 1.2 without tickets: by id")
    }
}
