import Glibc
import XCTest

extension XCTestCase {
    /// The test's CA with nginx serving `backend.test` over TLS (it answers
    /// with the name and protocol it saw), and an unrelated CA.
    func startTLSBackend() throws -> (TestCertificates, other: TestCertificates, NginxServer) {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("backend", ["backend.test"])])
        let other = try TestCertificates([("unused", ["unused.test"])])
        addTeardownBlock { certificates.remove(); other.remove() }
        // nginx's workers run as nobody under root: let them read the certificate.
        for path in [certificates.directory.path, other.directory.path] { chmod(path, 0o755) }
        chmod(certificates.pem("backend"), 0o644)
        let nginx = try NginxServer(http: """
            server {
                listen 127.0.0.1:{port} ssl;
                ssl_certificate \(certificates.pem("backend"));
                ssl_certificate_key \(certificates.pem("backend"));
                keepalive_requests 1000;
                location / { return 200 "tls backend $ssl_server_name $ssl_protocol\\n"; }
            }
            """)
        addTeardownBlock { nginx.stop() }
        return (certificates, other, nginx)
    }
}
