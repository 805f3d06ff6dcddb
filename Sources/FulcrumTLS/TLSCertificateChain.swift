import COpenSSL
import FulcrumPosix
import Glibc

/// A certificate to serve: the leaf, its intermediates and its private key,
/// loaded as HAProxy's `crt` loads them: one PEM holding all three, or a PEM
/// without the key and the key in `FILE.key` beside it.
public final class TLSCertificateChain: @unchecked Sendable {
    public let leaf: TLSCertificate
    public let intermediates: [TLSCertificate]
    /// The EVP_PKEY*, owned.
    let key: OpaquePointer
    /// Where it was loaded from (for messages and `show ssl cert`).
    public let path: String
    /// DH parameters written in the same PEM (HAProxy uses them for DHE
    /// before any global setting).
    public let dhParameters: TLSDHParameters?

    deinit { EVP_PKEY_free(key) }

    /// Loads `path`; when it holds no private key, `keyPath`, else (with
    /// `keyBeside`: HAProxy's `ssl-load-extra-files key`) `path + ".key"`.
    public convenience init(file path: String, keyPath: String? = nil, keyBeside: Bool = true) throws(TLSError) {
        let pem = try Self.read(path)
        var keyPEM: [UInt8]? = nil
        if !Self.hasPrivateKey(pem) {
            guard let other = keyPath ?? (keyBeside ? path + ".key" : nil) else {
                throw TLSError("no private key in '\(path)' (and 'ssl-load-extra-files' does not look for '.key')", reasons: [])
            }
            keyPEM = try Self.read(other, purpose: "no private key in '\(path)', and reading")
        }
        try self.init(pem: pem, keyPEM: keyPEM, path: path)
    }

    /// Parses PEM text (runtime `set ssl cert` hands bytes, not files). The
    /// key is taken from `keyPEM` when given, else from `pem`.
    public init(pem: [UInt8], keyPEM: [UInt8]? = nil, path: String = "(memory)") throws(TLSError) {
        self.path = path
        let (leafX, chain) = Self.withBIO(pem) { bio -> (OpaquePointer?, [TLSCertificate]) in
            guard let leaf = PEM_read_bio_X509_AUX(bio, nil, nil, nil) else { return (nil, []) }
            var chain: [TLSCertificate] = []
            while let x = PEM_read_bio_X509(bio, nil, nil, nil) { chain.append(TLSCertificate(owning: x)) }
            ERR_clear_error() // the end of the PEM reads as "no start line"
            return (leaf, chain)
        }
        guard let leafX else { throw .drain("no certificate in '\(path)'") }
        let leaf = TLSCertificate(owning: leafX)
        let keyX = Self.withBIO(keyPEM ?? pem) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        guard let k = keyX else {
            throw .drain("no private key for '\(path)'")
        }
        guard X509_check_private_key(leaf.x509, k) == 1 else {
            EVP_PKEY_free(k)
            throw .drain("the private key does not match the certificate in '\(path)'")
        }
        self.leaf = leaf
        self.intermediates = chain
        self.key = k
        self.dhParameters = TLSDHParameters(pem: pem)
    }

    /// The names SNI selection indexes this certificate under (SAN, then CN).
    public var names: [String] { leaf.names }

    /// A read-only memory BIO over `bytes` for the length of `body`
    /// (BIO_new_mem_buf reads them in place).
    static func withBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer?) -> T) -> T {
        bytes.withUnsafeBytes { raw in
            let bio = raw.count > 0 ? BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) : nil
            defer { if let bio { BIO_free(bio) } }
            return body(bio)
        }
    }

    static func hasPrivateKey(_ pem: [UInt8]) -> Bool { contains(pem, "PRIVATE KEY-----") }

    static func contains(_ pem: [UInt8], _ text: String) -> Bool {
        let marker = Array(text.utf8)
        guard pem.count >= marker.count else { return false }
        var i = 0
        while i + marker.count <= pem.count {
            if pem[i] == marker[0] && pem[i..<i + marker.count].elementsEqual(marker) { return true }
            i += 1
        }
        return false
    }

    static func read(_ path: String, purpose: String = "reading") throws(TLSError) -> [UInt8] {
        do {
            let fd = try FileDescriptor.open(path, flags: O_RDONLY)
            defer { fd.close() }
            return try fd.readAll()
        } catch {
            throw TLSError("\(purpose) '\(path)'", reasons: [error.description])
        }
    }
}
