import COpenSSL

/// A certificate's fields in the text HAProxy's `show ssl cert NAME` prints,
/// so the runtime API can show a certificate as HAProxy does.
extension TLSCertificate {
    /// Serial in upper-case hex, as its bytes are encoded.
    public var serialHex: String { Self.hex(serial) }
    /// SHA-1 fingerprint in upper-case hex.
    public var sha1Hex: String { Self.hex(sha1) }
    /// `ASN1_TIME_print`'s text: `Dec  6 19:29:54 2026 GMT`.
    public var notBeforeText: String { Self.timeText(X509_get0_notBefore(x509)) }
    public var notAfterText: String { Self.timeText(X509_get0_notAfter(x509)) }
    /// `DNS:a.example, DNS:b.example` (the DNS entries of the SAN).
    public var subjectAltNameText: String { dnsNames.map { "DNS:" + $0 }.joined(separator: ", ") }

    /// HAProxy's cert_get_pkey_algo: `RSA2048`, `EC256`, `DSA1024`, else the
    /// key type's short name and size.
    public var keyAlgorithm: String {
        guard let key = X509_get0_pubkey(x509) else { return "" }
        let bits = EVP_PKEY_get_bits(key)
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: return "RSA\(bits)"
        case EVP_PKEY_EC: return "EC\(bits)"
        case EVP_PKEY_DSA: return "DSA\(bits)"
        case let id: return (OBJ_nid2sn(id).map { String(cString: $0) } ?? "") + "\(bits)"
        }
    }

    /// Every certificate in PEM text, in order (a CA file's contents).
    public static func all(pem: [UInt8]) -> [TLSCertificate] {
        TLSCertificateChain.withBIO(pem) { bio in
            var out: [TLSCertificate] = []
            while let x = PEM_read_bio_X509(bio, nil, nil, nil) { out.append(TLSCertificate(owning: x)) }
            ERR_clear_error() // the end of the PEM reads as "no start line"
            return out
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    static func timeText(_ t: UnsafePointer<ASN1_TIME>?) -> String {
        guard let t, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard ASN1_TIME_print(bio, t) == 1 else { return "" }
        var p: UnsafeMutablePointer<CChar>? = nil
        let n = co_bio_get_mem_data(bio, &p)
        guard let p, n > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }
}
