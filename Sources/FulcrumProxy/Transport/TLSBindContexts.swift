import FulcrumConfig
import FulcrumCore
import FulcrumTLS

/// A `bind ... ssl` line's TLS: one server context per certificate (each with
/// its crt-list line's settings over the bind's), the first the default, and
/// HAProxy's SNI choice among them (exact name over wildcard, crt-list
/// filters, `strict-sni`). Built once per process from files the loader
/// checked; a handshake picks its context in the servername callback.
public final class TLSBindContexts: @unchecked Sendable {
    public let contexts: [TLSContext]
    public var defaultContext: TLSContext { contexts[0] }

    /// Why a bind's TLS cannot be served, in HAProxy's words where it has them.
    public struct SetupError: Error { public var message: String }

    public init(_ bind: Bind) throws(SetupError) {
        let tls = bind.tls
        guard !tls.certificates.isEmpty else { throw SetupError(message: "no SSL certificate specified for bind '\(bind.spec)'") }
        var contexts: [TLSContext] = []
        var selectable: [SNICertificateSelection.Certificate] = []
        for cert in tls.certificates {
            let s = cert.settings
            // crt-list lines may carry settings the workers do not serve yet.
            for (set, keyword) in [(s.crlFile != nil, "crl-file"), (s.caVerifyFile != nil, "ca-verify-file"), (s.npn != nil, "npn"),
                                   (s.allow0RTT, "allow-0rtt"), (s.noCANames, "no-ca-names")] where set {
                throw SetupError(message: "'\(keyword)' on certificate '\(cert.path)' is not supported yet")
            }
            let chain: TLSCertificateChain
            do { chain = try TLSCertificateChain(file: cert.path, keyPath: cert.keyFile) } catch {
                throw SetupError(message: "unable to load SSL certificate '\(cert.path)': \(error)")
            }
            var o = TLSContextOptions()
            let (low, high) = Self.versionRange(s.versions)
            o.minVersion = low
            o.maxVersion = high
            o.ciphers = s.ciphers
            o.cipherSuites = s.ciphersuites
            o.curves = s.curves ?? s.ecdhe
            o.alpn = s.alpn ?? []
            o.sessionTickets = !tls.noTLSTickets
            o.preferClientCiphers = tls.preferClientCiphers
            o.strictServerName = tls.strictSNI
            o.caFile = s.caFile
            switch s.verify {
            case .required?: o.verify = .required
            case .optional?: o.verify = .optional
            case .none?, nil: o.verify = .none
            }
            o.sessionCacheSize = 20000
            do { contexts.append(try TLSContext(role: .server, options: o, certificate: chain)) } catch {
                throw SetupError(message: "unable to set up TLS for certificate '\(cert.path)': \(error)")
            }
            selectable.append(SNICertificateSelection.Certificate(names: chain.names, filters: cert.filters))
        }
        self.contexts = contexts
        let selection = SNICertificateSelection(selectable)
        let pick = { [contexts, strictSNI = tls.strictSNI] (name: String?) -> TLSContext? in
            selection.select(serverName: name, strictSNI: strictSNI).map { contexts[$0] }
        }
        for c in contexts { c.setServerNameHandler(pick) }
    }

    /// The contiguous range of enabled versions HAProxy would use: its bounds,
    /// narrowed past disabled versions at either end.
    static func versionRange(_ f: TLSVersionFilter) -> (FulcrumTLS.TLSVersion?, FulcrumTLS.TLSVersion?) {
        let all = FulcrumConfig.TLSVersion.allCases
        var low = f.min ?? all.first!, high = f.max ?? all.last!
        while f.disabled.contains(low), low < high, let next = all.first(where: { $0 > low }) { low = next }
        while f.disabled.contains(high), high > low, let prev = all.last(where: { $0 < high }) { high = prev }
        func map(_ v: FulcrumConfig.TLSVersion) -> FulcrumTLS.TLSVersion? { FulcrumTLS.TLSVersion(name: v.name) }
        return (f.min == nil && !f.disabled.contains(low) && low == all.first! ? nil : map(low),
                f.max == nil && high == all.last! ? nil : map(high))
    }
}

extension TLSFacts {
    /// The fetches' view of a finished handshake.
    init(_ info: TLSHandshakeInfo) {
        self.init()
        protocolName = Array(info.protocolName.utf8)
        cipher = Array(info.cipher.utf8)
        alpn = info.alpn.map { Array($0.utf8) }
        serverName = info.serverName.map { Array($0.utf8) }
        sessionReused = info.sessionReused
        cipherBits = info.cipherBits
        cipherAlgorithmBits = info.cipherAlgorithmBits
        if let peer = info.peerCertificate {
            clientSubject = Array(peer.subject.utf8)
            clientIssuer = Array(peer.issuer.utf8)
        }
        clientVerify = info.verifyResult
    }
}
