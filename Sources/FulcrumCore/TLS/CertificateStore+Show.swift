/// `show ssl cert [NAME|*NAME]` in HAProxy 2.6's layout.
extension CertificateStore {
    public func showCertificate(_ name: String?) -> String {
        guard let name else {
            var out = ""
            if let t = transaction { out += "# transaction\n*\(t.name)\n" }
            out += "# filename\n"
            for n in certificates.keys.sorted(by: CertificateStore.byteOrder) { out += n + "\n" }
            return out
        }
        let notFound = "Can't display the certificate: Not found or the certificate is a bundle!\n"
        let shown: StoredCertificate
        var status: String
        if name.hasPrefix("*") {
            guard let t = transaction, "*" + t.name == name else { return notFound }
            shown = t.certificate
            status = "Unused"
        } else {
            guard let c = certificates[name] else { return notFound }
            shown = c
            status = (instances[name] ?? 0) > 0 ? "Used" : "Unused"
        }
        if shown.pem == nil { status = "Empty" }
        var out = "Filename: \(name)\nStatus: \(status)\n"
        if let d = shown.details {
            out += d.text
            for c in d.chain { out += "Chain Subject: \(c.subject)\nChain Issuer: \(c.issuer)\n" }
        }
        out += "OCSP Response Key: \n"
        return out
    }
}

extension CertificateDetails {
    /// The lines from Serial to Issuer, as HAProxy's show_cert_detail writes them.
    var text: String {
        "Serial: \(serial)\nnotBefore: \(notBefore)\nnotAfter: \(notAfter)\nSubject Alternative Name: \(subjectAltName)\n"
            + "Algorithm: \(algorithm)\nSHA1 FingerPrint: \(sha1)\nSubject: \(subject)\nIssuer: \(issuer)\n"
    }
}
