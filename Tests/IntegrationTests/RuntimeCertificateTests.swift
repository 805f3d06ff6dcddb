import XCTest

/// The runtime certificate API on a real daemon with two workers: a
/// committed certificate is served by every worker at once while a long
/// download over TLS goes on, a respawned worker serves it too, a reload
/// reads the files again; crt-list lines added and deleted change which SNI
/// gets which certificate; a committed CA file changes which client
/// certificates verify.
final class RuntimeCertificateTests: XCTestCase {
    private var certificates: TestCertificates!

    private func start(_ frontend: String, extraGlobal: String = "") throws -> (FulcrumProcess, UInt16, String) {
        _ = try requireTool("openssl")
        _ = try requireTool("curl")
        let port = try FreePort.next()
        let stats = certificates.directory.file("stats.sock")
        let config = """
            global
                workers 2
                stats socket \(stats) level admin
                # Each worker is reached by the kernel's hash alone: with
                # multi-queue a worker holding the download is left new
                # connections while its sibling holds fewer.
                tune.listener.multi-queue off
            \(extraGlobal)
            defaults
                mode http
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            \(frontend.replacingOccurrences(of: "{port}", with: "\(port)"))

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening(socketPath: stats)
        return (p, port, stats)
    }

    private func cli(_ socket: String, _ command: String) throws -> String { try MasterCLI.send(command, socketPath: socket) }

    private func pem(_ name: String) -> String { FileBytes.readText(certificates.pem(name)) ?? "" }

    /// Connections worker `n` (1-based) accepted, from its own counters.
    private func accepted(_ p: FulcrumProcess, worker n: Int) throws -> Int {
        let info = try p.masterCommand("@\(n) show info")
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("CumConns:") }),
              let value = Int(line.dropFirst("CumConns:".count).trimmingCharacters(in: .whitespaces)) else {
            throw HarnessError.failed("no CumConns in: \(info)")
        }
        return value
    }

    /// Runs `probe` (which connects) until every worker took a connection
    /// (at most 64 times); what it returned.
    private func fromEveryWorker(_ p: FulcrumProcess, _ probe: () throws -> String) throws -> Set<String> {
        let before = try (1...2).map { try accepted(p, worker: $0) }
        var seen: Set<String> = []
        for _ in 0..<64 {
            seen.insert(try probe())
            let now = try (1...2).map { try accepted(p, worker: $0) }
            if zip(now, before).allSatisfy({ $0 > $1 }) { return seen }
        }
        throw HarnessError.failed("64 connections did not reach both workers")
    }

    /// The subjects served for `serverName`, by every worker.
    private func subjectsFromEveryWorker(_ p: FulcrumProcess, port: UInt16, serverName: String?) throws -> Set<String> {
        try fromEveryWorker(p) { try TLSProbe.servedSubject(port, serverName: serverName) ?? "handshake failed" }
    }

    func testCommittedCertificateIsServedByEveryWorkerWhileADownloadRunsAndAfterARespawn() throws {
        certificates = try TestCertificates([("site", ["old.test"]), ("new", ["new.test"])])
        addTeardownBlock { self.certificates.remove() }
        let size = 24 << 20
        let nginx = try NginxServer.files(["big.bin": TestPattern.bytes(count: size)])
        addTeardownBlock { nginx.stop() }
        let (p, port, stats) = try start("""
            frontend fe
                bind 127.0.0.1:{port} ssl crt \(certificates.pem("site"))
                default_backend web
            backend web
                server s1 127.0.0.1:\(nginx.port)
            """)
        let site = certificates.pem("site")
        XCTAssertEqual(try subjectsFromEveryWorker(p, port: port, serverName: "old.test"), ["CN = old.test"])

        // A download over TLS, slowed so it is still running at the commit.
        let output = certificates.directory.file("download.bin")
        let curl = try ChildProcess(executable: Tools.find("curl")!, arguments: [
            "-sk", "--limit-rate", "6M", "-o", output, "https://127.0.0.1:\(port)/big.bin"],
            environment: Tools.currentEnvironment(), stdoutPath: "/dev/null", stderrPath: "/dev/null")
        XCTAssertTrue(waitUntil(timeout: 10) { (FileBytes.read(output)?.count ?? 0) > 1 << 20 }, "the download started")

        XCTAssertEqual(try cli(stats, "set ssl cert \(site) <<\n\(pem("new"))\n"), "Transaction created for certificate \(site)!\n\n")
        XCTAssertEqual(try cli(stats, "commit ssl cert \(site)"), "Committing \(site).\nSuccess!\n\n")
        XCTAssertNil(curl.wait(timeout: 0), "the download is still running after the commit")
        XCTAssertEqual(try subjectsFromEveryWorker(p, port: port, serverName: "new.test"), ["CN = new.test"])

        XCTAssertEqual(curl.wait(timeout: 60), .exited(0), "the download completes")
        let got = FileBytes.read(output) ?? []
        XCTAssertEqual(got.count, size)
        XCTAssertNil(TestPattern.firstMismatch(in: got), "downloaded bytes differ")

        // A worker that crashes comes back serving the committed certificate.
        let workers = try p.waitForChildren(count: 2)
        kill(workers[0], SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 10) { let now = p.childPids(role: "worker"); return now.count == 2 && !now.contains(workers[0]) })
        XCTAssertEqual(try subjectsFromEveryWorker(p, port: port, serverName: "new.test"), ["CN = new.test"])
        XCTAssertTrue(try cli(stats, "show ssl cert \(site)").contains("Subject: /CN=new.test\n"))

        // A reload reads the files again, as HAProxy does.
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(try TLSProbe.servedSubject(port, serverName: "old.test"), "CN = old.test")
    }

    func testCrtListLinesAddedAndDeletedChangeWhichNameGetsWhichCertificate() throws {
        certificates = try TestCertificates([("default", ["default.test"]), ("extra", ["extra.test"])])
        addTeardownBlock { self.certificates.remove() }
        let list = try certificates.directory.write("list.txt", "\(certificates.pem("default"))\n")
        let (p, port, stats) = try start("""
            frontend fe
                bind 127.0.0.1:{port} ssl crt-list \(list)
                http-request return status 200 content-type text/plain string ok
            """)
        let extra = "/runtime/extra.pem"
        XCTAssertEqual(try subjectsFromEveryWorker(p, port: port, serverName: "extra.test"), ["CN = default.test"])
        XCTAssertEqual(try cli(stats, "new ssl cert \(extra)"), "New empty certificate store '\(extra)'!\n\n")
        XCTAssertEqual(try cli(stats, "set ssl cert \(extra) <<\n\(pem("extra"))\n"), "Transaction created for certificate \(extra)!\n\n")
        XCTAssertEqual(try cli(stats, "commit ssl cert \(extra)"), "Committing \(extra)\nSuccess!\n\n")
        XCTAssertEqual(try cli(stats, "add ssl crt-list \(list) <<\n\(extra) [alpn http/1.1] extra.test\n\n"),
                       "Inserting certificate '\(extra)' in crt-list '\(list)'.\nSuccess!\n\n")
        XCTAssertEqual(try cli(stats, "show ssl crt-list -n \(list)"),
                       "# \(list)\n\(certificates.pem("default")):1\n\(extra):2 [alpn http/1.1\u{0}] extra.test\n\n")
        XCTAssertEqual(try subjectsFromEveryWorker(p, port: port, serverName: "extra.test"), ["CN = extra.test"])
        XCTAssertEqual(try TLSProbe.servedSubject(port, serverName: "other.test"), "CN = default.test")

        XCTAssertEqual(try cli(stats, "del ssl crt-list \(list) \(extra)"), "Entry '\(extra)' deleted in crtlist '\(list)'!\n\n")
        XCTAssertEqual(try subjectsFromEveryWorker(p, port: port, serverName: "extra.test"), ["CN = default.test"])
        XCTAssertEqual(try cli(stats, "del ssl cert \(extra)"), "Certificate '\(extra)' deleted!\n\n")
    }

    func testCommittedCAFileChangesWhichClientCertificatesVerify() throws {
        certificates = try TestCertificates([("site", ["site.test"]), ("client", ["client.test"])])
        addTeardownBlock { self.certificates.remove() }
        // A second CA, which signed a client certificate of its own.
        let other = try TestCertificates([("client", ["other-client.test"])])
        addTeardownBlock { other.remove() }
        let (p, port, stats) = try start("""
            frontend fe
                bind 127.0.0.1:{port} ssl crt \(certificates.pem("site")) verify required ca-file \(certificates.caFile)
                http-request return status 200 content-type text/plain string ok
            """)
        func status(_ client: TestCertificates) throws -> String {
            try CommandRunner.run("curl", ["-sk", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cert", client.pem("client"),
                                           "https://127.0.0.1:\(port)/"], timeout: 20).stdout
        }
        XCTAssertEqual(try status(certificates), "200")
        XCTAssertEqual(try status(other), "000", "a client certificate from another CA is refused")
        let ca = certificates.caFile
        let otherCA = FileBytes.readText(other.caFile) ?? ""
        XCTAssertEqual(try cli(stats, "set ssl ca-file \(ca) <<\n\(otherCA)\n"), "transaction created for CA \(ca)!\n\n")
        XCTAssertEqual(try cli(stats, "commit ssl ca-file \(ca)"), "Committing \(ca).\nSuccess!\n\n")
        // The committed CA verifies its client in every worker; the replaced one no longer does.
        XCTAssertEqual(try fromEveryWorker(p) { try status(other) + " " + status(certificates) }, ["200 000"])
    }
}
