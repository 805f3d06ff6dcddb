import COpenSSL
import Foundation
import FulcrumTLS

/// Certificates made by the test with OpenSSL's API (no CLI needed): a root
/// CA, an intermediate, server certificates it signs, a client certificate,
/// and an unrelated CA; written as PEM files into a temporary directory the
/// way operators lay them out (one PEM with chain and key, or the key beside).
final class TestPKI {
    let dir: String
    /// Root CA certificate (the `ca-file` that verifies the chain).
    var caFile: String { dir + "/ca.pem" }
    /// A CA that signed nothing here.
    var otherCAFile: String { dir + "/other-ca.pem" }
    /// localhost + *.example.test: leaf, intermediate, key in one file.
    var serverFile: String { dir + "/server.pem" }
    /// alt.test: leaf and intermediate, its key in alt.pem.key.
    var altFile: String { dir + "/alt.pem" }
    /// A client certificate (CN=client.test) with its key, signed by the root.
    var clientFile: String { dir + "/client.pem" }
    /// A certificate whose key file holds another key.
    var mismatchFile: String { dir + "/mismatch.pem" }

    static let shared: TestPKI = try! TestPKI()

    init() throws {
        dir = NSTemporaryDirectory() + "fulcrum-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

        let caKey = Self.key(), ca = Self.cert(cn: "Fulcrum Test Root", key: caKey, serial: 1, isCA: true)
        let interKey = Self.key()
        let inter = Self.cert(cn: "Fulcrum Test Intermediate", key: interKey, serial: 2, isCA: true,
                              issuer: ca, issuerKey: caKey)
        let serverKey = Self.key()
        let server = Self.cert(cn: "localhost", key: serverKey, serial: 0x1234, san: "DNS:localhost,DNS:*.example.test,IP:127.0.0.1",
                               issuer: inter, issuerKey: interKey)
        let altKey = Self.key()
        let alt = Self.cert(cn: "alt.test", key: altKey, serial: 5, san: "DNS:alt.test", issuer: inter, issuerKey: interKey)
        let clientKey = Self.key()
        let client = Self.cert(cn: "client.test", key: clientKey, serial: 0x0A0B0C, org: "Clients", issuer: ca, issuerKey: caKey)
        let otherKey = Self.key(), other = Self.cert(cn: "Unrelated Root", key: otherKey, serial: 9, isCA: true)

        try write(caFile, Self.pem(ca))
        try write(otherCAFile, Self.pem(other))
        try write(serverFile, Self.pem(server) + Self.pem(inter) + Self.pem(key: serverKey))
        try write(altFile, Self.pem(alt) + Self.pem(inter))
        try write(altFile + ".key", Self.pem(key: altKey))
        try write(clientFile, Self.pem(client) + Self.pem(key: clientKey))
        try write(mismatchFile, Self.pem(alt) + Self.pem(key: serverKey))
        for x in [ca, inter, server, alt, client, other] { X509_free(x) }
        for k in [caKey, interKey, serverKey, altKey, clientKey, otherKey] { EVP_PKEY_free(k) }
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func key() -> OpaquePointer {
        let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil)!
        defer { EVP_PKEY_CTX_free(ctx) }
        precondition(EVP_PKEY_keygen_init(ctx) == 1)
        precondition(EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1)
        var k: OpaquePointer? = nil
        precondition(EVP_PKEY_keygen(ctx, &k) == 1)
        return k!
    }

    static func cert(cn: String, key: OpaquePointer, serial: Int, isCA: Bool = false, san: String? = nil,
                     org: String? = nil, issuer: OpaquePointer? = nil, issuerKey: OpaquePointer? = nil) -> OpaquePointer {
        let x = X509_new()!
        X509_set_version(x, 2)
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial)
        X509_gmtime_adj(X509_getm_notBefore(x), -3600)
        X509_gmtime_adj(X509_getm_notAfter(x), 30 * 86400)
        X509_set_pubkey(x, key)
        let name = X509_get_subject_name(x)
        X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, "FR", -1, -1, 0)
        if let org { X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) }
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0)
        X509_set_issuer_name(x, issuer.map { X509_get_subject_name($0) } ?? name)
        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, issuer ?? x, x, nil, nil, 0)
        func add(_ nid: Int32, _ value: String) {
            let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value)!
            X509_add_ext(x, ext, -1)
            X509_EXTENSION_free(ext)
        }
        add(NID_basic_constraints, isCA ? "critical,CA:TRUE" : "CA:FALSE")
        add(NID_subject_key_identifier, "hash")
        if isCA { add(NID_key_usage, "critical,keyCertSign,cRLSign") }
        if let san { add(NID_subject_alt_name, san) }
        precondition(X509_sign(x, issuerKey ?? key, EVP_sha256()) > 0)
        return x
    }

    static func pem(_ x: OpaquePointer) -> String {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        PEM_write_bio_X509(bio, x)
        return text(bio)
    }

    static func pem(key: OpaquePointer) -> String {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil)
        return text(bio)
    }

    static func text(_ bio: OpaquePointer) -> String {
        var p: UnsafeMutablePointer<CChar>? = nil
        let n = co_bio_get_mem_data(bio, &p)
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }
}
