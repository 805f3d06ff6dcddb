import FulcrumConfig
import FulcrumTLS

/// A `server ... ssl` line's TLS: its client context (verify against its CA
/// file, its client certificate, ALPN, versions, ciphers), the name it sends
/// (`sni`) and checks (`verifyhost`), and the last session it got, offered
/// again to resume (HAProxy reuses a server's session unless `no-ssl-reuse`).
public final class TLSServerContext: @unchecked Sendable {
    public let context: TLSContext
    /// What `sni` names: a constant, or a fetch evaluated per connection.
    public enum ServerName: Sendable, Equatable { case none, constant(String), requestHost, clientSNI }
    public let serverName: ServerName
    public let verifyHostname: String?
    let reuseSessions: Bool
    var lastSession: TLSSession?

    public struct SetupError: Error { public var message: String }

    public init(_ server: Server, global: GlobalTLS) throws(SetupError) {
        let tls = server.params.tls
        var o = TLSContextOptions(versions: tls.versions, ciphers: tls.ciphers, cipherSuites: tls.ciphersuites,
                                  alpn: tls.alpn, tickets: !(tls.noTLSTickets ?? false))
        o.verify = (tls.verify ?? global.serverVerify) == .required ? .required : .none
        o.caFile = tls.caFile
        o.crlFile = tls.crlFile
        o.maxRecord = global.maxRecord
        var chain: TLSCertificateChain? = nil
        if let crt = tls.certificate {
            do { chain = try TLSCertificateChain(file: crt) } catch {
                throw SetupError(message: "unable to load SSL certificate '\(crt)' for server '\(server.name)': \(error)")
            }
        }
        do { context = try TLSContext(role: .client, options: o, certificate: chain) } catch {
            throw SetupError(message: "unable to set up TLS for server '\(server.name)': \(error)")
        }
        switch tls.sni {
        case nil: serverName = .none
        case "req.hdr(host)", "hdr(host)", "req.hdr(Host)", "hdr(Host)": serverName = .requestHost
        case "ssl_fc_sni": serverName = .clientSNI
        case let expr? where expr.hasPrefix("str(") && expr.hasSuffix(")"):
            serverName = .constant(String(expr.dropFirst(4).dropLast()))
        case let expr?:
            throw SetupError(message: "'sni \(expr)' on server '\(server.name)': only str(NAME), req.hdr(host) and ssl_fc_sni are supported yet")
        }
        // HAProxy checks the certificate against `verifyhost`, else the SNI sent.
        verifyHostname = o.verify == .required ? tls.verifyHost : nil
        reuseSessions = !tls.noSSLReuse
    }
}
