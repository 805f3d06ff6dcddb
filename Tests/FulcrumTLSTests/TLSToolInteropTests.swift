import Foundation
import XCTest
import FulcrumTLS

/// Real TLS clients (curl, openssl s_client) against TLSConnection on a real
/// loopback port. A missing tool skips its test with a message.
final class TLSToolInteropTests: XCTestCase {
    let pki = TestPKI.shared
    var server: TLSLoopbackServer!

    override func setUpWithError() throws {
        var o = TLSContextOptions()
        o.alpn = ["h2", "http/1.1"]
        server = try TLSLoopbackServer(context: try TLSContext(serverCertificateFile: pki.serverFile, options: o))
    }

    override func tearDown() { server.stop() }

    func tool(_ name: String) throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        throw XCTSkip("\(name) is not installed (apt-get install \(name))")
    }

    /// Runs a tool to its exit (bounded: killed after 20 s, which fails).
    func run(_ path: String, _ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let stdin = Foundation.Pipe(), stdout = Foundation.Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stdout
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        if exited.wait(timeout: .now() + 20) == .timedOut {
            p.terminate()
            XCTFail("\(path) did not exit")
        }
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testCurlVerifiesAndNegotiates() throws {
        let curl = try tool("curl")
        let url = "https://localhost:\(server.port)/"
        let ok = try run(curl, ["-sS", "--http1.1", "--cacert", pki.caFile, "--resolve", "localhost:\(server.port):127.0.0.1", url])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.hasPrefix("protocol=TLSv1.3 alpn=http/1.1 sni=localhost reused=0 cipher=TLS_"), ok.output)

        let tls12 = try run(curl, ["-sS", "--http1.1", "--tls-max", "1.2", "--cacert", pki.caFile,
                                   "--resolve", "www.example.test:\(server.port):127.0.0.1", "https://www.example.test:\(server.port)/"])
        XCTAssertEqual(tls12.status, 0, tls12.output)
        XCTAssertTrue(tls12.output.hasPrefix("protocol=TLSv1.2 alpn=http/1.1 sni=www.example.test reused=0 cipher=ECDHE-ECDSA-"), tls12.output)

        let untrusted = try run(curl, ["-sS", "--cacert", pki.otherCAFile, "--resolve", "localhost:\(server.port):127.0.0.1", url])
        XCTAssertEqual(untrusted.status, 60, "curl: peer certificate cannot be authenticated: \(untrusted.output)")
    }

    func testOpenSSLClientVerifiesAndResumes() throws {
        let openssl = try tool("openssl")
        let session = pki.dir + "/s_client-\(server.port).sess"
        let common = ["s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost",
                      "-CAfile", pki.caFile, "-verify_return_error", "-alpn", "http/1.1", "-ign_eof"]
        let request = "GET / HTTP/1.0\r\n\r\n"
        let first = try run(openssl, common + ["-sess_out", session], input: request)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("Verify return code: 0 (ok)"), first.output)
        XCTAssertTrue(first.output.contains("ALPN protocol: http/1.1"), first.output)
        XCTAssertTrue(first.output.contains("protocol=TLSv1.3 alpn=http/1.1 sni=localhost reused=0"), first.output)
        XCTAssertTrue(first.output.contains("depth=1 C = FR, CN = Fulcrum Test Intermediate"), "the chain is sent: \(first.output)")

        let second = try run(openssl, common + ["-sess_in", session], input: request)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("Reused, TLSv1.3"), second.output)
        XCTAssertTrue(second.output.contains("reused=1"), second.output)

        let old = try run(openssl, ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_1"], input: "")
        XCTAssertNotEqual(old.status, 0, "TLSv1.1 is refused by OpenSSL 3's default security level: \(old.output)")
    }
}
