import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumTLS
import Glibc

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

    /// Keys from the bind's `tls-ticket-keys` file, which take precedence
    /// over the workers' shared ring (nil: none given).
    public let fileTicketKeys: TLSTicketRing?
    /// What the loader reports as warnings (HAProxy's words): files ignored.
    public private(set) var warnings: [String] = []

    /// - diffieHellman: `ssl-dh-param-file`'s parameters, else `tune.ssl.default-dh-param`,
    ///   else nil: no DHE (a certificate's own DH parameters come first).
    public init(_ bind: Bind, global: GlobalTLS, diffieHellman: TLSDiffieHellman?) throws(SetupError) {
        let tls = bind.tls
        guard !tls.certificates.isEmpty else { throw SetupError(message: "no SSL certificate specified for bind '\(bind.spec)'") }
        let keys = tls.ticketKeys.compactMap(TLSTicketRing.Key.init(haproxyBytes:))
        fileTicketKeys = keys.count >= 3 ? TLSTicketRing(fileKeys: keys) : nil
        var contexts: [TLSContext] = []
        var selectable: [SNICertificateSelection.Certificate] = []
        for cert in tls.certificates {
            let s = cert.settings
            // crt-list lines may carry settings the workers do not serve.
            if s.allow0RTT, let reason = TLSRefusedReasons.byKeyword["allow-0rtt"] {
                throw SetupError(message: "certificate '\(cert.path)': \(reason)")
            }
            let chain: TLSCertificateChain
            do { chain = try TLSCertificateChain(file: cert.path, keyPath: cert.keyFile, keyBeside: global.extraFiles.contains(.key)) } catch {
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
            o.npn = s.npn ?? []
            o.sessionTickets = !tls.noTLSTickets
            o.preferClientCiphers = tls.preferClientCiphers
            o.strictServerName = tls.strictSNI
            o.caFile = s.caFile
            o.caVerifyFile = s.caVerifyFile
            o.crlFile = s.crlFile
            o.sendCANames = !s.noCANames
            switch s.verify {
            case .required?: o.verify = .required
            case .optional?: o.verify = .optional
            case .none?, nil: o.verify = .none
            }
            o.sessionCacheSize = 20000
            o.sessionLifetime = global.lifetime
            o.maxRecord = global.maxRecord
            o.diffieHellman = diffieHellman
            if let ocsp = cert.ocspFile {
                let issuer = try cert.issuerFile.map(Self.readExtra), der = try Self.readExtra(ocsp)
                do {
                    o.ocspResponse = try TLSOCSPResponse.checked(der, path: ocsp, chain: chain, issuerPEM: issuer,
                                                                 issuerPath: cert.issuerFile)
                } catch { throw SetupError(message: error.description) }
                if o.ocspResponse == nil { warnings.append(TLSOCSPResponse.mismatch) }
            }
            o.signedCertificateTimestamps = try cert.sctlFile.map(Self.readExtra)
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

    /// The bytes of a file beside a certificate (`.ocsp` DER, `.sctl` binary).
    static func readExtra(_ path: String) throws(SetupError) -> [UInt8] {
        do {
            let fd = try FileDescriptor.open(path, flags: O_RDONLY)
            defer { fd.close() }
            return try fd.readAll()
        } catch {
            throw SetupError(message: "unable to load '\(path)': \(error)")
        }
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
