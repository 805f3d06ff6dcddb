import COpenSSL
import Glibc

/// One X.509 certificate (a loaded one, or the peer's after a handshake): the
/// names SNI selection indexes and what HAProxy's ssl_c_* / ssl_f_* fetches show.
public final class TLSCertificate: @unchecked Sendable {
    /// The X509*, owned (one reference).
    let x509: OpaquePointer

    /// Takes over one reference the caller already holds.
    init(owning x509: OpaquePointer) { self.x509 = x509 }

    /// Adds a reference to a certificate OpenSSL lends.
    init(retaining x509: OpaquePointer) {
        X509_up_ref(x509)
        self.x509 = x509
    }

    deinit { X509_free(x509) }

    /// The first certificate of PEM text.
    public convenience init(pem: [UInt8]) throws(TLSError) {
        let x509 = TLSCertificateChain.withBIO(pem) { PEM_read_bio_X509_AUX($0, nil, nil, nil) }
        guard let x = x509 else { throw .drain("reading a PEM certificate") }
        self.init(owning: x)
    }

    /// Subject as HAProxy's ssl_c_s_dn prints it: `/C=FR/O=Example/CN=www`.
    public var subject: String { Self.oneLine(X509_get_subject_name(x509)) }
    /// Issuer, same form (ssl_c_i_dn).
    public var issuer: String { Self.oneLine(X509_get_issuer_name(x509)) }

    /// Serial number, big-endian bytes without leading zeros (ssl_c_serial).
    public var serial: [UInt8] {
        guard let bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), nil) else { return [] }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
        if !out.isEmpty { BN_bn2bin(bn, &out) }
        return out
    }

    /// SHA-1 of the DER encoding (ssl_c_sha1).
    public var sha1: [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        guard X509_digest(x509, EVP_sha1(), &out, &len) == 1 else { return [] }
        return Array(out[0..<Int(len)])
    }

    /// Validity bounds in seconds since the epoch (ssl_c_notbefore/notafter).
    public var notBefore: Int { Self.epoch(X509_get0_notBefore(x509)) }
    public var notAfter: Int { Self.epoch(X509_get0_notAfter(x509)) }

    /// The subject's commonName values.
    public var commonNames: [String] {
        guard let name = X509_get_subject_name(x509) else { return [] }
        var out: [String] = []
        var i: Int32 = -1
        while true {
            i = X509_NAME_get_index_by_NID(name, NID_commonName, i)
            if i < 0 { return out }
            if let s = Self.text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) { out.append(s) }
        }
    }

    /// The subjectAltName DNS entries, in certificate order.
    public var dnsNames: [String] {
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { co_general_names_free(names) }
        var out: [String] = []
        for i in 0..<co_sk_general_name_num(names) {
            guard let gn = co_sk_general_name_value(names, i), gn.pointee.type == GEN_DNS else { continue }
            if let s = Self.text(gn.pointee.d.dNSName) { out.append(s) }
        }
        return out
    }

    /// Every name a bind indexes the certificate under, as HAProxy does: the
    /// SAN DNS names, then the CNs, without repeats (wildcards kept as `*.x`).
    public var names: [String] {
        var out = dnsNames
        for cn in commonNames where !out.contains(cn) { out.append(cn) }
        return out
    }

    /// PEM text of the certificate.
    public var pem: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        PEM_write_bio_X509(bio, x509)
        var p: UnsafeMutablePointer<CChar>? = nil
        let n = co_bio_get_mem_data(bio, &p)
        guard let p, n > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// HAProxy's ssl_sock_get_dn_oneline: `/SN=value` per entry, values raw.
    static func oneLine(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        var out = ""
        for i in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, i) else { continue }
            let nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))
            let short = OBJ_nid2sn(nid).map { String(cString: $0) } ?? "UNDEF"
            out += "/" + short + "=" + (text(X509_NAME_ENTRY_get_data(entry)) ?? "")
        }
        return out
    }

    static func text(_ s: UnsafePointer<ASN1_STRING>?) -> String? {
        text(UnsafeMutablePointer(mutating: s))
    }

    static func text(_ s: UnsafeMutablePointer<ASN1_STRING>?) -> String? {
        guard let s, let data = ASN1_STRING_get0_data(s) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(s))), as: UTF8.self)
    }

    static func epoch(_ t: UnsafePointer<ASN1_TIME>?) -> Int {
        guard let t else { return 0 }
        var tm = tm()
        guard ASN1_TIME_to_tm(t, &tm) == 1 else { return 0 }
        return Int(timegm(&tm))
    }
}
