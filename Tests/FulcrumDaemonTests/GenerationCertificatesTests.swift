import XCTest
import FulcrumConfig
import FulcrumCore
@testable import FulcrumDaemon

/// A generation's commits survive the master's re-execution as text: each
/// commit comes back as the same commit, and a certificate committed twice
/// is carried (and replayed to a new worker) once, as last committed.
final class GenerationCertificatesTests: XCTestCase {
    func testEveryCommitComesBackFromItsText() {
        let effects: [CertificateStore.Effect] = [
            .install(name: "/etc/ssl/a b.pem", pem: Array("-----BEGIN CERTIFICATE-----\nMIIB\n".utf8)),
            .installCAFile(name: "/etc/ssl/ca.pem", pem: Array("-----BEGIN CERTIFICATE-----\nMIIC\n".utf8)),
            .crtListAdd(list: "/etc/l st", line: CrtListLine(certificate: "/c.pem", options: ["verify", "none"],
                                                            filters: ["c.test", "!d.test"], line: 4)),
            .crtListRemove(list: "/etc/l st", line: 4),
        ]
        for e in effects {
            let text = GenerationCertificates.message(for: e).encode()
            XCTAssertEqual(ControlMessage.decode(text).flatMap(GenerationCertificates.effect), e)
        }
    }

    func testACertificateCommittedAgainIsCarriedOnce() throws {
        let loaded = ConfigLoader.load(sources: [ConfigSource(name: "t.cfg", text: "defaults\n    mode http\n")])
        XCTAssertFalse(loaded.hasErrors, "\(loaded.diagnostics)")
        let g = GenerationCertificates(loaded)
        g.restore(["cert end /a.pem\nPEM one", "crtlist del 1 /l", "cert end /a.pem\nPEM two"])
        XCTAssertEqual(g.commits, ["crtlist del 1 /l", "cert end /a.pem\nPEM two"])
        XCTAssertEqual(g.replay, [.crtListRemove(list: "/l", line: 1), .certificate(name: "/a.pem", final: true, pem: "PEM two")])
        XCTAssertEqual(g.store.showCertificate(nil), "# filename\n/a.pem\n", "the store holds what was committed")
    }
}
