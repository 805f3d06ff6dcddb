import Glibc
import XCTest
import FulcrumPosix
@testable import FulcrumTLS

/// Real handshakes between Fulcrum's server and client connections over a
/// socketpair: data both ways, ALPN, SNI, versions, verification, resumption.
final class TLSHandshakeTests: XCTestCase {
    let pki = TestPKI.shared

    func serverContext(_ configure: (inout TLSContextOptions) -> Void = { _ in }) throws -> TLSContext {
        var o = TLSContextOptions()
        configure(&o)
        return try TLSContext(serverCertificateFile: pki.serverFile, options: o)
    }

    func clientContext(certificate: String? = nil, _ configure: (inout TLSContextOptions) -> Void = { _ in }) throws -> TLSContext {
        var o = TLSContextOptions()
        o.verify = .required
        o.caFile = pki.caFile
        configure(&o)
        return try TLSContext(role: .client, options: o,
                              certificate: try certificate.map { try TLSCertificateChain(file: $0) })
    }

    func testHandshakeAndDataBothWays() throws {
        let pair = try TLSPair(server: try serverContext(), client: try clientContext(),
                               serverName: "localhost", verifyHostname: "localhost")
        XCTAssertEqual(pair.handshake(), .done)
        // 1 MiB each way: more than the socket buffers hold, so sends meet
        // .again and retry from a moved buffer, reads return record by record.
        let up = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        XCTAssertEqual(try pair.transfer(up, from: pair.client, to: pair.server), up)
        let down = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        XCTAssertEqual(try pair.transfer(down, from: pair.server, to: pair.client, readChunk: 1000), down)

        let s = try XCTUnwrap(pair.server.handshakeInfo), c = try XCTUnwrap(pair.client.handshakeInfo)
        XCTAssertEqual(s.protocolName, "TLSv1.3")
        XCTAssertEqual(s.version, .tls1_3)
        XCTAssertEqual(s.cipher, c.cipher)
        XCTAssertTrue(s.cipher.hasPrefix("TLS_"), s.cipher)
        XCTAssertGreaterThanOrEqual(s.cipherBits, 128)
        XCTAssertEqual(s.serverName, "localhost")
        XCTAssertFalse(s.sessionReused)
        XCTAssertNil(s.peerCertificate, "no client certificate was asked for")
        XCTAssertEqual(c.verifyResult, 0)
        XCTAssertEqual(c.verifyResultText, "ok")
        let peer = try XCTUnwrap(c.peerCertificate)
        XCTAssertEqual(peer.subject, "/C=FR/CN=localhost")
        XCTAssertEqual(peer.issuer, "/C=FR/CN=Fulcrum Test Intermediate")
        XCTAssertEqual(peer.serial, [0x12, 0x34])
        XCTAssertEqual(peer.sha1.count, 20)
        XCTAssertGreaterThan(peer.notAfter, peer.notBefore)
    }

    /// The engine's contract: a read shorter than asked means the socket is
    /// drained (edge-triggered epoll reports what comes next), so a receive
    /// gathers every record that is there, not just the first.
    func testShortReadMeansDrained() throws {
        let pair = try TLSPair(server: try serverContext(), client: try clientContext())
        XCTAssertEqual(pair.handshake(), .done)
        _ = try pair.transfer(Array("sync".utf8), from: pair.server, to: pair.client) // tickets absorbed
        let record = [UInt8](repeating: 0x42, count: 5000)
        for _ in 0..<3 {
            XCTAssertEqual(try record.withUnsafeBytes { try pair.client.send($0.baseAddress!, count: $0.count) }, 5000)
        }
        // A unix socketpair queues sent bytes at the peer before send returns:
        // three TLSv1.3 records (5 + 5000 + 1 + 16 bytes each) wait there.
        var queued: Int32 = 0
        XCTAssertEqual(ioctl(pair.server.fd.rawValue, UInt(FIONREAD), &queued), 0)
        XCTAssertEqual(queued, 3 * 5022)
        var buffer = [UInt8](repeating: 0, count: 65536)
        let first = try buffer.withUnsafeMutableBytes { try pair.server.receive(into: $0.baseAddress!, count: 6000) }
        XCTAssertEqual(first, 6000, "filled: more may wait")
        XCTAssertEqual(pair.server.pendingBytes, 4000, "the rest of the second record, decrypted")
        let rest = try buffer.withUnsafeMutableBytes { try pair.server.receive(into: $0.baseAddress!, count: $0.count) }
        XCTAssertEqual(rest, 9000, "short: everything there was")
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try pair.server.receive(into: $0.baseAddress!, count: $0.count) }) {
            XCTAssertEqual($0 as? Errno, .again)
        }
        XCTAssertEqual(pair.server.wants, .read)
    }

    func testCloseNotifyReadsAsEOFAndShutdownWrite() throws {
        let pair = try TLSPair(server: try serverContext(), client: try clientContext())
        XCTAssertEqual(pair.handshake(), .done)
        let msg = Array("last words".utf8)
        _ = try msg.withUnsafeBytes { try pair.server.send($0.baseAddress!, count: $0.count) }
        pair.server.shutdownWrite()
        XCTAssertTrue(pair.server.closeNotifySent)
        XCTAssertEqual(try pair.readToEOF(pair.client), msg)
        XCTAssertTrue(pair.client.peerClosed)
        // The other direction still carries data after a half close.
        XCTAssertEqual(try pair.transfer(Array("reply".utf8), from: pair.client, to: pair.server), Array("reply".utf8))
    }

    func testPeerClosingWithoutCloseNotifyIsEOF() throws {
        let pair = try TLSPair(server: try serverContext(), client: try clientContext())
        XCTAssertEqual(pair.handshake(), .done)
        pair.server.close(abort: true)
        XCTAssertEqual(try pair.readToEOF(pair.client), [])
        XCTAssertTrue(pair.client.peerClosed)

        // Without ignoreUnexpectedEOF the truncation is an error.
        let strict = try TLSPair(server: try serverContext(), client: try clientContext { $0.ignoreUnexpectedEOF = false })
        XCTAssertEqual(strict.handshake(), .done)
        strict.server.close(abort: true)
        XCTAssertThrowsError(try strict.readToEOF(strict.client)) { XCTAssertEqual($0 as? Errno, Errno(EPROTO)) }
        XCTAssertTrue(strict.client.failure?.description.contains("unexpected eof") ?? false,
                      strict.client.failure?.description ?? "no failure")
    }

    func testIdleOpenAbsorbsTicketsAndSeesClose() throws {
        let pair = try TLSPair(server: try serverContext(), client: try clientContext())
        XCTAssertEqual(pair.handshake(), .done)
        // TLSv1.3 tickets are waiting on the client's socket: still idle-open.
        XCTAssertTrue(pair.client.isIdleOpen)
        pair.server.shutdownWrite()
        var fds = [pollfd(fd: pair.client.fd.rawValue, events: Int16(POLLIN), revents: 0)]
        XCTAssertEqual(poll(&fds, 1, 5000), 1)
        XCTAssertFalse(pair.client.isIdleOpen)
    }

    func testALPNServerOrderWins() throws {
        let server = try serverContext { $0.alpn = ["h2", "http/1.1"] }
        let pair = try TLSPair(server: server, client: try clientContext { $0.alpn = ["http/1.1", "h2"] })
        XCTAssertEqual(pair.handshake(), .done)
        XCTAssertEqual(pair.server.handshakeInfo?.alpn, "h2")
        XCTAssertEqual(pair.client.handshakeInfo?.alpn, "h2")

        let other = try TLSPair(server: server, client: try clientContext { $0.alpn = ["http/1.1"] })
        XCTAssertEqual(other.handshake(), .done)
        XCTAssertEqual(other.server.handshakeInfo?.alpn, "http/1.1")

        let none = try TLSPair(server: server, client: try clientContext { $0.alpn = ["spdy/3"] })
        XCTAssertEqual(none.handshake(), .done, "no common protocol: the handshake goes on without ALPN")
        XCTAssertNil(none.server.handshakeInfo?.alpn)
        XCTAssertNil(none.client.handshakeInfo?.alpn)
    }

    func testServerNameSwitchesContext() throws {
        let alt = try TLSContext(serverCertificateFile: pki.altFile)
        let server = try serverContext()
        var seen: [String?] = []
        server.setServerNameHandler { name in
            seen.append(name)
            return name == "alt.test" ? alt : nil
        }
        let pair = try TLSPair(server: server, client: try clientContext(), serverName: "alt.test", verifyHostname: "alt.test")
        XCTAssertEqual(pair.handshake(), .done)
        XCTAssertEqual(pair.server.handshakeInfo?.serverName, "alt.test")
        XCTAssertTrue(pair.server.selectedContext === alt)
        XCTAssertEqual(pair.client.handshakeInfo?.peerCertificate?.names, ["alt.test"])

        let plain = try TLSPair(server: server, client: try clientContext(), serverName: "www.example.test",
                                verifyHostname: "www.example.test")
        XCTAssertEqual(plain.handshake(), .done, "the default certificate's wildcard covers it")
        XCTAssertNil(plain.server.selectedContext)

        let anonymous = try TLSPair(server: server, client: try clientContext())
        XCTAssertEqual(anonymous.handshake(), .done)
        XCTAssertNil(anonymous.server.handshakeInfo?.serverName)
        XCTAssertEqual(seen, ["alt.test", "www.example.test", nil])

        // The wrong certificate for the name fails hostname verification.
        let wrong = try TLSPair(server: server, client: try clientContext(), serverName: "nope.test", verifyHostname: "nope.test")
        guard case .failed(_, let clientError) = wrong.handshake() else { return XCTFail("verified a wrong host") }
        XCTAssertEqual(clientError, Errno(EPROTO))
        XCTAssertTrue(wrong.client.failure?.description.contains("certificate verify failed") ?? false,
                      wrong.client.failure?.description ?? "no failure")
    }

    func testStrictServerNameRefusesUnknownNames() throws {
        let alt = try TLSContext(serverCertificateFile: pki.altFile)
        let server = try serverContext { $0.strictServerName = true }
        server.setServerNameHandler { $0 == "alt.test" ? alt : nil }
        let ok = try TLSPair(server: server, client: try clientContext(), serverName: "alt.test")
        XCTAssertEqual(ok.handshake(), .done)
        let refused = try TLSPair(server: server, client: try clientContext(), serverName: "unknown.test")
        guard case .failed(let serverError, let clientError) = refused.handshake() else { return XCTFail("accepted an unknown name") }
        XCTAssertEqual(serverError, Errno(EPROTO))
        XCTAssertNotNil(clientError)
        XCTAssertTrue(refused.client.failure?.description.contains("unrecognized name") ?? false,
                      refused.client.failure?.description ?? "no failure")
    }

    func testVersionRefusal() throws {
        let server = try serverContext { $0.minVersion = .tls1_3 }
        let pair = try TLSPair(server: server, client: try clientContext { $0.maxVersion = .tls1_2 })
        guard case .failed(let serverError, let clientError) = pair.handshake() else { return XCTFail("TLSv1.2 accepted") }
        XCTAssertEqual(serverError, Errno(EPROTO))
        XCTAssertNotNil(clientError)
        XCTAssertTrue(pair.server.failure?.description.contains("unsupported protocol") ?? false,
                      pair.server.failure?.description ?? "no failure")

        let tls12 = try TLSPair(server: try serverContext { $0.maxVersion = .tls1_2 }, client: try clientContext())
        XCTAssertEqual(tls12.handshake(), .done)
        XCTAssertEqual(tls12.client.handshakeInfo?.protocolName, "TLSv1.2")
        XCTAssertEqual(tls12.client.handshakeInfo?.version, .tls1_2)
    }

    func testCiphersAsConfigured() throws {
        let server = try serverContext { $0.maxVersion = .tls1_2; $0.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305" }
        let pair = try TLSPair(server: server, client: try clientContext())
        XCTAssertEqual(pair.handshake(), .done)
        XCTAssertEqual(pair.server.handshakeInfo?.cipher, "ECDHE-ECDSA-CHACHA20-POLY1305")

        let suites = try serverContext { $0.cipherSuites = "TLS_CHACHA20_POLY1305_SHA256" }
        let p13 = try TLSPair(server: suites, client: try clientContext())
        XCTAssertEqual(p13.handshake(), .done)
        XCTAssertEqual(p13.client.handshakeInfo?.cipher, "TLS_CHACHA20_POLY1305_SHA256")

        let disjoint = try TLSPair(server: server, client: try clientContext { $0.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256" })
        guard case .failed = disjoint.handshake() else { return XCTFail("no shared cipher, yet a handshake") }
        XCTAssertTrue(disjoint.server.failure?.description.contains("no shared cipher") ?? false,
                      disjoint.server.failure?.description ?? "no failure")
    }

    func testClientVerifiesServerAgainstCA() throws {
        let good = try TLSPair(server: try serverContext(), client: try clientContext())
        XCTAssertEqual(good.handshake(), .done)
        XCTAssertEqual(good.client.handshakeInfo?.verifyResult, 0)

        let wrong = try TLSPair(server: try serverContext(), client: try clientContext { $0.caFile = self.pki.otherCAFile })
        guard case .failed(_, let clientError) = wrong.handshake() else { return XCTFail("verified against the wrong CA") }
        XCTAssertEqual(clientError, Errno(EPROTO))
        XCTAssertTrue(wrong.client.failure?.description.contains("certificate verify failed") ?? false,
                      wrong.client.failure?.description ?? "no failure")

        let unchecked = try TLSPair(server: try serverContext(),
                                    client: try clientContext { $0.verify = .none; $0.caFile = self.pki.otherCAFile })
        XCTAssertEqual(unchecked.handshake(), .done, "verify none")
        XCTAssertNotEqual(unchecked.client.handshakeInfo?.verifyResult, 0, "the failure is still reported (ssl_c_verify)")
    }

    func testClientCertificates() throws {
        let required = try serverContext { $0.verify = .required; $0.caFile = self.pki.caFile }
        let withCert = try TLSPair(server: required, client: try clientContext(certificate: pki.clientFile))
        XCTAssertEqual(withCert.handshake(), .done)
        // TLSv1.3: the server verifies the client's certificate after the client finished.
        XCTAssertEqual(try withCert.transfer(Array("x".utf8), from: withCert.client, to: withCert.server), Array("x".utf8))
        let info = try XCTUnwrap(withCert.server.handshakeInfo)
        XCTAssertEqual(info.verifyResult, 0)
        let peer = try XCTUnwrap(info.peerCertificate)
        XCTAssertEqual(peer.subject, "/C=FR/O=Clients/CN=client.test")
        XCTAssertEqual(peer.issuer, "/C=FR/CN=Fulcrum Test Root")
        XCTAssertEqual(peer.serial, [0x0A, 0x0B, 0x0C])

        let without = try TLSPair(server: required, client: try clientContext())
        let outcome = without.handshake()
        if outcome == .done {
            // TLSv1.3 clients finish first; the refusal arrives with the first read.
            XCTAssertThrowsError(try without.readToEOF(without.client))
        }
        XCTAssertTrue(without.server.failure?.description.contains("peer did not return a certificate") ?? false,
                      without.server.failure?.description ?? "no failure")

        let optional = try serverContext { $0.verify = .optional; $0.caFile = self.pki.caFile }
        let anonymous = try TLSPair(server: optional, client: try clientContext())
        XCTAssertEqual(anonymous.handshake(), .done)
        XCTAssertNil(anonymous.server.handshakeInfo?.peerCertificate)
    }

    func testSessionResumption() throws {
        for (version, tickets) in [(TLSVersion.tls1_3, true), (.tls1_3, false), (.tls1_2, true), (.tls1_2, false)] {
            let server = try serverContext { $0.sessionTickets = tickets; $0.maxVersion = version }
            let client = try clientContext()
            let first = try TLSPair(server: server, client: client, serverName: "localhost")
            XCTAssertEqual(first.handshake(), .done)
            XCTAssertEqual(try first.transfer(Array("hello".utf8), from: first.server, to: first.client), Array("hello".utf8))
            let session = try XCTUnwrap(first.client.session)
            XCTAssertTrue(session.isResumable, "\(version) tickets \(tickets)")
            XCTAssertEqual(session.version, version)
            XCTAssertFalse(first.client.handshakeInfo!.sessionReused)
            first.close()

            // Through its bytes, as another worker would get it.
            let copy = try XCTUnwrap(TLSSession(encoded: session.encoded))
            let second = try TLSPair(server: server, client: client, serverName: "localhost", session: copy)
            XCTAssertEqual(second.handshake(), .done)
            XCTAssertEqual(second.client.handshakeInfo?.sessionReused, true, "\(version) tickets \(tickets)")
            XCTAssertEqual(second.server.handshakeInfo?.sessionReused, true, "\(version) tickets \(tickets)")

            // Another server context (other keys, empty cache) cannot resume it.
            let stranger = try TLSPair(server: try serverContext { $0.sessionTickets = tickets; $0.maxVersion = version },
                                       client: client, serverName: "localhost", session: copy)
            XCTAssertEqual(stranger.handshake(), .done)
            XCTAssertEqual(stranger.server.handshakeInfo?.sessionReused, false)
        }
    }
}
