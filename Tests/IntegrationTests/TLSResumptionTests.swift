import XCTest

/// Sessions resume in any worker: the workers share their session ticket
/// keys (derived from a seed in the shared table), so a ticket issued by one
/// worker is accepted by whichever worker the kernel gives the next
/// connection to, and the seed is carried over a reload. Without tickets,
/// sessions resume by id from the cache the workers share, also over a
/// reload; `tune.ssl.cachesize 0` turns that cache off.
final class TLSResumptionTests: XCTestCase {
    func testTicketsResumeAcrossWorkersAndAReload() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("site", ["site.test"])])
        addTeardownBlock { certificates.remove() }
        let port = try FreePort.next()
        let config = "global\n    workers 2\n" + SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certificates.pem("site"))
                http-request return status 200 content-type text/plain string ok

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        let session = certificates.directory.file("session.pem")
        func connect(_ extra: [String]) throws -> String {
            try CommandRunner.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "site.test",
                                              "-tls1_2"] + extra, stdin: "", timeout: 15).stdout
        }
        let first = try connect(["-sess_out", session])
        XCTAssertTrue(first.contains("New, TLSv1.2"), first)
        func resumed(_ count: Int) throws -> Int {
            try (0..<count).filter { _ in try connect(["-sess_in", session]).contains("Reused, TLSv1.2") }.count
        }
        // With 2 workers, about half of 12 connections reach the other worker.
        XCTAssertEqual(try resumed(12), 12, "every connection resumes, whichever worker takes it")
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(try resumed(6), 6, "the ticket keys survive a reload")
    }

    func testSessionIDsResumeAcrossWorkersAndAReload() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("site", ["site.test"])])
        addTeardownBlock { certificates.remove() }
        for cacheSize in [nil, 0] {
            let port = try FreePort.next()
            let global = "global\n    workers 2\n" + (cacheSize.map { "    tune.ssl.cachesize \($0)\n" } ?? "")
            let config = global + SideBySide.httpDefaults + """
                frontend fe
                    bind 127.0.0.1:\(port) ssl crt \(certificates.pem("site")) no-tls-tickets
                    http-request return status 200 content-type text/plain string ok

                """
            let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
            try p.waitUntilListening(port: port, sockets: 2)
            for version in ["-tls1_2", "-tls1_3"] {
                let session = certificates.directory.file("session\(version).pem")
                // The request makes s_client wait for the answer, so a TLSv1.3
                // session (sent after the handshake) arrives before it leaves.
                func connect(_ extra: [String]) throws -> String {
                    try CommandRunner.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "site.test",
                                                      version, "-ign_eof"] + extra,
                                          stdin: "GET / HTTP/1.0\r\n\r\n", timeout: 15).stdout
                }
                let first = try connect(["-sess_out", session])
                XCTAssertTrue(first.contains("New, TLSv1."), first)
                XCTAssertTrue(first.contains("200 OK"), first)
                func resumed(_ count: Int) throws -> Int {
                    try (0..<count).filter { _ in try connect(["-sess_in", session]).contains("Reused, TLSv1.") }.count
                }
                if cacheSize == 0 {
                    XCTAssertEqual(try resumed(4), 0, "\(version): no session cache, no resumption by id")
                    continue
                }
                XCTAssertEqual(try resumed(12), 12, "\(version): every connection resumes, whichever worker takes it")
                XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
                XCTAssertTrue(p.waitUntilSettled(workers: 2))
                XCTAssertEqual(try resumed(6), 6, "\(version): the cache survives a reload")
            }
            p.stop()
        }
    }

    /// A TLS 1.3 client uses a ticket once: the resumed connection must give
    /// it a new one, or every other connection is a full handshake (as wrk's
    /// were before). Each session file below comes from a resumed connection.
    func testAResumedTLS13SessionGetsAFreshTicket() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("site", ["site.test"])])
        addTeardownBlock { certificates.remove() }
        let port = try FreePort.next()
        let p = try startFulcrum(config: "global\n    workers 1\n" + SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certificates.pem("site"))
                http-request return status 200 content-type text/plain string ok

            """, arguments: ["-f", "{config}"])
        try p.waitUntilListening(port: port)
        var previous: String? = nil
        for i in 0..<4 {
            let out = certificates.directory.file("chain\(i).pem")
            let arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-ign_eof", "-sess_out", out]
                + (previous.map { ["-sess_in", $0] } ?? [])
            let r = try CommandRunner.run("openssl", arguments, stdin: "GET / HTTP/1.0\r\n\r\n", timeout: 15).stdout
            XCTAssertTrue(r.contains(i == 0 ? "New, TLSv1.3" : "Reused, TLSv1.3"), "connection \(i): \(r)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: out), "connection \(i) gave the client no session ticket")
            previous = out
        }
    }
}
