import COpenSSL

/// A certificate's `.ocsp` file checked as HAProxy 2.6 checks it before it
/// staples it: the certificate's issuer must be known (the `.issuer` file,
/// else a certificate of the chain), the file must be a successful OCSP
/// response; one that does not speak of this certificate is ignored with
/// a warning (a stapled response for another certificate would make every
/// client that checks it fail).
public enum TLSOCSPResponse {
    /// HAProxy's warning for a response about another certificate.
    public static let mismatch = "Loading: OCSP single response: Certificate ID does not match certificate and issuer. Content will be ignored."

    /// The DER response when it can be stapled for `chain`, nil when it is
    /// about another certificate; HAProxy's errors otherwise.
    public static func checked(_ der: [UInt8], path: String, chain: TLSCertificateChain,
                               issuerPEM: [UInt8]?, issuerPath: String?) throws(TLSError) -> [UInt8]? {
        let issuer: TLSCertificate
        if let issuerPEM, let issuerPath {
            guard let i = try? TLSCertificate(pem: issuerPEM), X509_check_issued(i.x509, chain.leaf.x509) == X509_V_OK else {
                throw TLSError("'\(issuerPath)' is not an issuer'.", reasons: [])
            }
            issuer = i
        } else if let i = chain.intermediates.first(where: { X509_check_issued($0.x509, chain.leaf.x509) == X509_V_OK }) {
            issuer = i
        } else {
            throw TLSError("'\(path)' is present and activates OCSP but it is impossible to compute the OCSP certificate ID (maybe the issuer could not be found)'.", reasons: [])
        }
        enum Reading { case unreadable, otherCertificate, matching }
        let reading = der.withUnsafeBufferPointer { buffer -> Reading in
            var p: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let response = d2i_OCSP_RESPONSE(nil, &p, buffer.count) else { return .unreadable }
            defer { OCSP_RESPONSE_free(response) }
            guard OCSP_response_status(response) == OCSP_RESPONSE_STATUS_SUCCESSFUL,
                  let basic = OCSP_response_get1_basic(response) else { return .unreadable }
            defer { OCSP_BASICRESP_free(basic) }
            guard let id = OCSP_cert_to_id(nil, chain.leaf.x509, issuer.x509) else { return .unreadable }
            defer { OCSP_CERTID_free(id) }
            var status: Int32 = 0, reason: Int32 = 0
            return OCSP_resp_find_status(basic, id, &status, &reason, nil, nil, nil) == 1 ? .matching : .otherCertificate
        }
        ERR_clear_error()
        switch reading {
        case .unreadable: throw TLSError("'\(path)' : unable to load a successful OCSP response from it.", reasons: [])
        case .otherCertificate: return nil
        case .matching: return der
        }
    }
}
