/// Revocation material for the test CA, made with the openssl CLI as an
/// operator would: an index of revoked certificates (openssl ca's database),
/// a CRL from it, OCSP responses signed by the CA, and DH parameters.
extension TestCertificates {
    /// The serial number of `NAME.crt`, in hex as openssl prints it.
    func serial(_ name: String) throws -> String {
        let r = try CommandRunner.run("openssl", ["x509", "-serial", "-noout", "-in", directory.file("\(name).crt")], timeout: 10)
        guard let line = r.stdout.split(separator: "\n").first, line.hasPrefix("serial=") else {
            throw HarnessError.failed("no serial for \(name): \(r.stderr)")
        }
        return String(line.dropFirst("serial=".count))
    }

    /// Writes the CA's database with `revoked` marked revoked and `valid`
    /// valid (the OCSP responder reads both).
    private func writeIndex(revoked: [String], valid: [String]) throws {
        var index = ""
        for name in revoked { index += "R\t301231000000Z\t240101000000Z\t\(try serial(name))\tunknown\t/CN=\(name)\n" }
        for name in valid { index += "V\t301231000000Z\t\t\(try serial(name))\tunknown\t/CN=\(name)\n" }
        try directory.write("index.txt", index)
        try directory.write("crlnumber", "01\n")
        try directory.write("ca.cnf", """
            [ca]
            default_ca = d
            [d]
            database = \(directory.file("index.txt"))
            crlnumber = \(directory.file("crlnumber"))
            default_md = sha256
            default_crl_days = 2

            """)
    }

    /// A CRL of the CA revoking the certificates named (PEM, in `crl.pem`).
    func crl(revoking revoked: [String]) throws -> String {
        try writeIndex(revoked: revoked, valid: [])
        let out = directory.file("crl.pem")
        try Self.openssl(["ca", "-gencrl", "-config", directory.file("ca.cnf"), "-keyfile", directory.file("ca.key"),
                          "-cert", caFile, "-out", out])
        return out
    }

    /// The CA's DER OCSP response for `NAME.crt` (good, or revoked), written
    /// where `ssl-load-extra-files` looks for it: `NAME.pem.ocsp`.
    @discardableResult
    func ocspResponse(for name: String, revoked: Bool) throws -> String {
        try writeIndex(revoked: revoked ? [name] : [], valid: revoked ? [] : [name])
        let out = pem(name) + ".ocsp"
        try Self.openssl(["ocsp", "-index", directory.file("index.txt"), "-rsigner", caFile, "-rkey", directory.file("ca.key"),
                          "-CA", caFile, "-issuer", caFile, "-cert", directory.file("\(name).crt"), "-respout", out,
                          "-ndays", "1"])
        return out
    }

    /// DH parameters of a standard group (`ffdhe3072`...), PEM, in `GROUP.dhparam`.
    func dhParameters(group: String) throws -> String {
        let out = directory.file("\(group).dhparam")
        try Self.openssl(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:\(group)", "-out", out])
        return out
    }
}
