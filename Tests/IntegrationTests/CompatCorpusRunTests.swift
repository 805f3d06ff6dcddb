import XCTest
import Foundation

/// Issue 15's target: every real haproxy.cfg of the shared compatibility
/// corpus (../shared/compat/haproxy) that haproxy 2.6 and `fulcrum -c` both
/// accept is started for real, its binds and servers rewritten to loopback
/// (CompatConfigRewrite), beside haproxy on the same rewritten text; a
/// request through every bind gets an answer from Fulcrum, with the status
/// haproxy gives.
final class CompatCorpusRunTests: XCTestCase {
    /// The corpus lives beside the project, not in it: FULCRUM_COMPAT_DIR, or
    /// ../shared/compat next to the package.
    private func corpusDirectory() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["FULCRUM_COMPAT_DIR"],
                          FulcrumReleaseBinary.packageRoot + "/../shared/compat"].compactMap { $0 }
        for c in candidates where FileManager.default.fileExists(atPath: c + "/haproxy") { return c + "/haproxy" }
        throw XCTSkip("the shared compatibility corpus is not here (set FULCRUM_COMPAT_DIR or keep ../shared/compat)")
    }

    func testEveryAcceptedCorpusFileAnswersThroughItsFrontendsAsHAProxyDoes() throws {
        let haproxy = try requireTool("haproxy")
        let dir = try corpusDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".cfg") }.sorted()
        let web = try startBackend(.http(status: 200, body: "corpus backend\n"))
        let certificates = try TestCertificates([("site", ["site.test"])])
        defer { certificates.remove() }
        let scratch = try TemporaryDirectory(prefix: "corpus")
        defer { scratch.remove() }
        var ran: [String] = []
        for name in files {
            let original = FileBytes.readText(dir + "/" + name) ?? ""
            let rewrite = CompatConfigRewrite(text: original, backendPort: web.port, certificate: certificates.pem("site"))
            guard rewrite.bindCount > 0 else { continue }
            let fulcrumPorts = try (0..<rewrite.bindCount).map { _ in try FreePort.next() }
            let haproxyPorts = try (0..<rewrite.bindCount).map { _ in try FreePort.next() }
            let haproxyText = rewrite.text(ports: haproxyPorts)
            let fulcrumText = rewrite.text(ports: fulcrumPorts)
            // Only what both accept is run (check.sh reports the rest).
            let file = try scratch.write(name, haproxyText)
            let haproxyCheck = try CommandRunner.run(haproxy, ["-c", "-q", "-f", file], timeout: 30)
            let fulcrumCheck = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-q", "-f", file], timeout: 30)
            guard haproxyCheck.succeeded, fulcrumCheck.succeeded else {
                print("corpus file not run: \(name): haproxy -c \(haproxyCheck.succeeded ? "accepts" : "refuses"), "
                      + "fulcrum -c \(fulcrumCheck.succeeded ? "accepts" : "refuses: " + fulcrumCheck.output.prefix(300))")
                continue
            }
            let reference = try startHAProxyReference(config: haproxyText, port: haproxyPorts[0])
            let fulcrum = try startFulcrum(config: fulcrumText)
            for port in fulcrumPorts { try fulcrum.waitUntilListening(port: port) }
            for i in 0..<rewrite.bindCount {
                let tls = rewrite.bindIsTLS[i]
                let expected = try status(port: haproxyPorts[i], tls: tls)
                let got = try status(port: fulcrumPorts[i], tls: tls)
                // Only a bind haproxy cannot answer on loopback either may stay silent
                // (cloudstack's `option transparent` listen without servers).
                if expected != "000" {
                    XCTAssertNotEqual(got, "000", "\(name): bind \(i + 1) gave no answer (\(rewrite.bindLines[i]))")
                }
                XCTAssertEqual(got, expected, "\(name): bind \(i + 1) (\(rewrite.bindLines[i]))")
            }
            reference.stop()
            _ = fulcrum.stop()
            ran.append(name)
        }
        print("corpus files run: \(ran.count): \(ran.joined(separator: ", "))")
        // 12 on 2026-12-07: a floor, so the corpus cannot silently stop running.
        XCTAssertGreaterThanOrEqual(ran.count, 12, "accepted corpus files run: \(ran)")
    }

    /// The status code curl reads for a GET (HTTPS on an ssl bind), "000"
    /// when no answer came.
    private func status(port: UInt16, tls: Bool) throws -> String {
        let url = (tls ? "https" : "http") + "://127.0.0.1:\(port)/"
        let result = try CommandRunner.run("curl", ["-sk", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}",
                                                     "-H", "Host: site.test", url], timeout: 10)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
