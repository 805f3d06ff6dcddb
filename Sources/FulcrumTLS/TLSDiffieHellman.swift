import COpenSSL

/// DH parameters for DHE key exchange: read from PEM (`ssl-dh-param-file`,
/// or a `DH PARAMETERS` block in a certificate's PEM) or a standard group.
public final class TLSDHParameters: @unchecked Sendable {
    /// The EVP_PKEY* holding the parameters, owned (one reference).
    let pkey: OpaquePointer

    private init(owning pkey: OpaquePointer) { self.pkey = pkey }
    deinit { EVP_PKEY_free(pkey) }

    /// The first DH parameters in PEM text; nil when there are none.
    public convenience init?(pem: [UInt8]) {
        guard TLSCertificateChain.contains(pem, "-----BEGIN DH PARAMETERS-----") ||
              TLSCertificateChain.contains(pem, "-----BEGIN X9.42 DH PARAMETERS-----") else { return nil }
        let key = TLSCertificateChain.withBIO(pem) { bio -> OpaquePointer? in
            var found: OpaquePointer? = nil
            // PEM_read_bio_Parameters skips the blocks before (certificate, key).
            while let p = PEM_read_bio_Parameters(bio, nil) {
                if co_pkey_is_dh(p) == 1 { found = p; break }
                EVP_PKEY_free(p)
            }
            ERR_clear_error()
            return found
        }
        guard let key else { return nil }
        self.init(owning: key)
    }

    /// One of OpenSSL's named groups ("ffdhe2048", "dh_1024_160"...).
    static func group(_ name: String) -> TLSDHParameters? {
        co_dh_named_group(name).map { TLSDHParameters(owning: $0) }
    }

    /// The size of the prime.
    public var bits: Int { Int(EVP_PKEY_get_bits(pkey)) }

    /// Hands the parameters to a context (which takes its own reference).
    func install(in ctx: OpaquePointer) -> Bool {
        EVP_PKEY_up_ref(pkey)
        guard co_ctx_set0_tmp_dh_pkey(ctx, pkey) == 1 else { EVP_PKEY_free(pkey); return false }
        return true
    }
}

/// How a server context offers DHE, HAProxy 2.6's rules in order: the
/// certificate's own parameters, then `ssl-dh-param-file`, then
/// `tune.ssl.default-dh-param`; with none of them, no DHE suite is
/// negotiated (HAProxy 2.6 with OpenSSL 3 does the same, observed).
public enum TLSDiffieHellman: Sendable {
    case parameters(TLSDHParameters)
    /// A standard group as large as an RSA/DSA key (the limit itself for
    /// other keys), at most `bits`: 4096 or 2048 bits, as HAProxy's
    /// ssl_get_tmp_dh picks. Below 2048 HAProxy 2.6 fails to load its 1024-bit
    /// group under OpenSSL 3's security level and offers no DHE: neither do we.
    case upTo(bits: Int)

    /// The parameters a context with the private key `key` installs (nil: none).
    func parameters(forKey key: OpaquePointer?) -> TLSDHParameters? {
        switch self {
        case .parameters(let p): return p
        case .upTo(let limit):
            var size = limit
            if let key, co_pkey_is_rsa_or_dsa(key) == 1 { size = min(Int(EVP_PKEY_get_bits(key)), limit) }
            guard size >= 2048 else { return nil }
            return TLSDHParameters.group(size >= 4096 ? "ffdhe4096" : "ffdhe2048")
        }
    }
}
