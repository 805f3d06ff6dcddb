import XCTest
import Glibc

/// `add server` with TLS options side by side with haproxy 2.6: the same
/// answers for files the configuration did not load and for verification
/// without a CA file, and an added `ssl verify required ca-file ... sni ...`
/// server, once enabled, carries requests to an nginx TLS backend (and a
/// wrong `sni` fails verification) in both proxies (2 workers vs nbthread 2).
final class SideBySideDynamicServerTLSTests: XCTestCase {
    func testAddServerTLSOptionsAsHAProxy() throws {
        let (certificates, other, nginx) = try startTLSBackend()
        let sockets = try SideBySideWorkerSockets(self)
        let substitutions = sockets.substitutions
        let ca = certificates.caFile
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                retries 0
                server loaded 127.0.0.1:1 ssl verify required ca-file \(ca) crt \(certificates.pem("backend")) disabled

            """, backends: [], global: SideBySideWorkerSockets.global, substitutions: substitutions)

        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!, port = s.ports[proxy]![0]
            func get() -> String {
                guard let c = try? TCPClient.connect(port: port) else { return "refused" }
                defer { c.close() }
                try? c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                guard let r = try? c.readHTTPResponse() else { return "no response" }
                return "\(r.status) \(r.status == 200 ? r.bodyText : "")"
            }
            var out: [String] = []
            for command in [
                "add server be/t1 127.0.0.1:\(nginx.port) ssl",
                "add server be/t2 127.0.0.1:\(nginx.port) ssl verify required ca-file /nonexistent",
                "add server be/t3 127.0.0.1:\(nginx.port) ssl verify required ca-file \(other.caFile)",
                "add server be/t4 127.0.0.1:\(nginx.port) ssl verify none crt /nonexistent.pem",
                "add server be/t5 127.0.0.1:\(nginx.port) ssl verify none crt \(other.pem("unused"))",
                "add server be/t6 127.0.0.1:\(nginx.port) ssl crl-file /nonexistent",
                "add server be/good 127.0.0.1:\(nginx.port) ssl verify required ca-file \(ca) sni str(backend.test) alpn http/1.1",
                "add server be/wrong 127.0.0.1:\(nginx.port) ssl verify required ca-file \(ca) sni str(other.test)",
                "add server be/plain 127.0.0.1:\(nginx.port) ssl verify none crt \(certificates.pem("backend")) check-ssl",
                "enable server be/good",
            ] {
                let answer = try MasterCLI.send(command, socketPath: socket)
                out.append(command.replacingOccurrences(of: certificates.directory.path, with: "CERTS")
                    .replacingOccurrences(of: other.directory.path, with: "OTHER").replacingOccurrences(of: "\(nginx.port)", with: "PORT")
                    + " -> " + answer.replacingOccurrences(of: other.directory.path, with: "OTHER"))
            }
            // Six requests, so both workers connect to the added server.
            out.append("through good: " + Set((0..<6).map { _ in get() }).sorted().joined(separator: ","))
            for command in ["disable server be/good", "enable server be/wrong"] { _ = try MasterCLI.send(command, socketPath: socket) }
            out.append("through wrong sni: " + Set((0..<4).map { _ in get() }).sorted().joined(separator: ","))
            transcripts[proxy] = out
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertTrue(transcripts[.fulcrum]?.contains { $0.hasPrefix("through good: 200 tls backend backend.test TLSv1.") } ?? false,
                      transcripts[.fulcrum]?.joined(separator: "\n") ?? "")
        XCTAssertEqual(transcripts[.fulcrum]?.last, "through wrong sni: 503 ")
    }
}
