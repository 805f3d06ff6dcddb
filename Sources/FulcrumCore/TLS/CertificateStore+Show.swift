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
            out += "Serial: \(d.serial)\nnotBefore: \(d.notBefore)\nnotAfter: \(d.notAfter)\n"
            if !d.subjectAltName.isEmpty { out += "Subject Alternative Name: \(d.subjectAltName)\n" }
            out += "Algorithm: \(d.algorithm)\nSHA1 FingerPrint: \(d.sha1)\nSubject: \(d.subject)\nIssuer: \(d.issuer)\n"
            for c in d.chain { out += "Chain Subject: \(c.subject)\nChain Issuer: \(c.issuer)\n" }
        }
        out += "OCSP Response Key: \n"
        return out
    }
}
