import XCTest

/// The runtime certificate API answered by Fulcrum and by haproxy 2.6 on
/// their stats sockets, for the same configuration, certificates and
/// command sequence (HAProxy's socat use: one command per connection):
/// transactions, crt-list edits, CA files, and the errors on the way.
final class SideBySideCertificateAPITests: XCTestCase {
    func testCommandSequenceAnswersAsHAProxy() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("default", ["default.test"]), ("listed", ["listed.test"]),
                                                 ("fresh", ["fresh.test"])])
        addTeardownBlock { certificates.remove() }
        let other = try TestCertificates([])
        addTeardownBlock { other.remove() }
        let list = try certificates.directory.write("list.txt", "\(certificates.pem("listed")) [alpn http/1.1] listed.test\n")
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let def = certificates.pem("default"), fresh = "/runtime/fresh.pem", ca = certificates.caFile
        let config = SideBySide.httpDefaults + """
            frontend web
                bind 127.0.0.1:{port} ssl crt \(def) crt-list \(list) verify optional ca-file \(ca)
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        _ = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                           substitutions: sockets.substitutions)
        func text(_ path: String) -> String { FileBytes.readText(path) ?? "" }
        let commands = [
            "show ssl cert", "show ssl cert \(def)", "show ssl cert /nope.pem", "show ssl cert *\(def)",
            "commit ssl cert \(def)", "abort ssl cert \(def)", "set ssl cert \(def)",
            "set ssl cert /nope.pem <<\n\(text(certificates.pem("fresh")))\n",
            "set ssl cert \(def) <<\nnot a certificate\n\n", "set ssl cert \(def) <<\ncut before its empty line\n",
            "set ssl cert \(def) <<\n\(text(certificates.pem("fresh")))\n",
            "show ssl cert", "show ssl cert *\(def)", "commit ssl cert \(fresh)", "commit ssl cert \(def)", "show ssl cert \(def)",
            "new ssl cert \(fresh)", "new ssl cert \(fresh)", "show ssl cert \(fresh)",
            "add ssl crt-list \(list) \(fresh)",
            "set ssl cert \(fresh) <<\n\(text(certificates.caFile))\n", "commit ssl cert \(fresh)",
            "set ssl cert \(fresh) <<\n\(text(certificates.pem("fresh")))\n", "commit ssl cert \(fresh)",
            "show ssl crt-list", "show ssl crt-list -n \(list)", "show ssl crt-list /nope",
            "add ssl crt-list \(list) \(fresh)", "add ssl crt-list \(list) <<\n\(fresh) [verify none] fresh.test !x.test\n\n",
            "add ssl crt-list /nope \(fresh)", "show ssl crt-list -n \(list)", "show ssl crt-list \(list)",
            "del ssl cert \(fresh)", "del ssl crt-list \(list) \(fresh)", "del ssl crt-list \(list) \(fresh):9",
            "del ssl crt-list \(list) \(fresh):2", "del ssl crt-list \(list) \(fresh)", "del ssl crt-list \(list) /nope.pem",
            "del ssl cert \(fresh)", "del ssl cert \(def)", "del ssl cert /nope.pem", "new ssl cert", "commit ssl cert",
            "abort ssl cert", "del ssl cert",
            "show ssl ca-file", "show ssl ca-file \(ca)", "show ssl ca-file \(ca):1", "show ssl ca-file /nope",
            "commit ssl ca-file \(ca)", "abort ssl ca-file \(ca)", "set ssl ca-file \(ca) <<\nnot a certificate\n\n",
            "set ssl ca-file /nope <<\n\(text(other.caFile))\n", "set ssl ca-file \(ca) <<\n\(text(other.caFile))\n",
            "show ssl ca-file", "show ssl ca-file *\(ca)", "commit ssl ca-file /nope", "commit ssl ca-file \(ca)",
            "show ssl ca-file \(ca)", "set ssl ca-file \(ca)", "commit ssl ca-file", "abort ssl ca-file",
        ]
        for command in commands {
            var answers: [ProxyUnderTest: String] = [:]
            for proxy in ProxyUnderTest.allCases {
                answers[proxy] = try MasterCLI.send(command, socketPath: sockets.paths[proxy]!)
            }
            // haproxy also lists the system CA store its HTTP client loaded.
            let haproxy = answers[.haproxy]!.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("@system-ca - ") }.joined(separator: "\n")
            XCTAssertEqual(answers[.fulcrum], haproxy, command)
        }
        // In prompt mode each payload line is acknowledged with "+ ".
        let session = "prompt\nset ssl cert \(def) <<\nnot a certificate\nat all\n\nabort ssl cert \(def)\nquit\n"
        var answers: [ProxyUnderTest: String] = [:]
        for proxy in ProxyUnderTest.allCases {
            let c = try CLIConnection(socketPath: sockets.paths[proxy]!)
            try c.send(session)
            answers[proxy] = try c.read(until: nil).text
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy], session)
        XCTAssertTrue(answers[.fulcrum]?.contains("+ + + unable to load") ?? false, answers[.fulcrum] ?? "")
    }
}
