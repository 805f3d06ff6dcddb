/// A test CA and server certificates made with the openssl CLI in a
/// directory of the test's: `NAME.pem` holds the leaf, then the key (the
/// form `crt` loads), `ca.crt` the CA that signed them.
struct TestCertificates {
    let directory: TemporaryDirectory

    var caFile: String { directory.file("ca.crt") }
    func pem(_ name: String) -> String { directory.file("\(name).pem") }

    /// - names: file name → DNS names (the first also the CN).
    /// - caName: the CA's CN (two CAs in one test tell apart by it).
    init(_ names: [(file: String, dns: [String])], caName: String = "Fulcrum Test CA") throws {
        directory = try TemporaryDirectory(prefix: "certs")
        let d = directory.path
        let openssl = Self.openssl
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(caName)",
                     "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.crt"])
        for (file, dns) in names {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(dns[0])", "-keyout", "\(d)/\(file).key",
                         "-out", "\(d)/\(file).csr"])
            try directory.write("\(file).ext", "subjectAltName=" + dns.map { "DNS:\($0)" }.joined(separator: ",") + "\n")
            try openssl(["x509", "-req", "-in", "\(d)/\(file).csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                         "-CAcreateserial", "-days", "2", "-extfile", "\(d)/\(file).ext", "-out", "\(d)/\(file).crt"])
            let crt = FileBytes.readText("\(d)/\(file).crt") ?? "", key = FileBytes.readText("\(d)/\(file).key") ?? ""
            try directory.write("\(file).pem", crt + key)
        }
    }

    func remove() { directory.remove() }

    /// Runs the openssl CLI; throws with its stderr when it fails.
    static func openssl(_ args: [String]) throws {
        let r = try CommandRunner.run("openssl", args, timeout: 30)
        guard r.exit == .exited(0) else { throw HarnessError.failed("openssl \(args.joined(separator: " ")): \(r.stderr)") }
    }
}
