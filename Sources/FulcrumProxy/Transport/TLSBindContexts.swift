import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumTLS
import Glibc

/// A `bind ... ssl` line's TLS: one server context per certificate (each with
/// its crt-list line's settings over the bind's), the first the default, and
/// HAProxy's SNI choice among them (exact name over wildcard, crt-list
/// filters, `strict-sni`). Built once per process from files the loader
/// checked; a handshake picks its context in the servername callback. The
/// runtime API edits it (`RuntimeCertificates`): a committed certificate gets
/// a new context in place of the old, a crt-list line one more or one less;
/// a connection keeps the context it started with, so none is disturbed.
public final class TLSBindContexts: @unchecked Sendable {
    public private(set) var contexts: [TLSContext] = []
    /// What each context serves, in the same order.
    public private(set) var certificates: [TLSBindCertificate] = []
    public var defaultContext: TLSContext { contexts[0] }
    private let bind: Bind
    private let global: GlobalTLS
    private let diffieHellman: TLSDiffieHellman?
    private var selection = SNICertificateSelection([])
    /// What every context shares with the other workers (set once by the worker role).
    private var ticketRing: TLSTicketRing?
    private var sessions: (any TLSSessionStore)?
    private var sharesSessions = false
    /// CA files committed at runtime, by name: their PEM replaces the file.
    private var caOverrides: [String: [UInt8]] = [:]

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
        self.bind = bind
        self.global = global
        self.diffieHellman = diffieHellman
        guard !bind.tls.certificates.isEmpty else { throw SetupError(message: "no SSL certificate specified for bind '\(bind.spec)'") }
        let keys = bind.tls.ticketKeys.compactMap(TLSTicketRing.Key.init(haproxyBytes:))
        fileTicketKeys = keys.count >= 3 ? TLSTicketRing(fileKeys: keys) : nil
        for cert in bind.tls.certificates {
            let chain: TLSCertificateChain
            do { chain = try TLSCertificateChain(file: cert.path, keyPath: cert.keyFile, keyBeside: global.extraFiles.contains(.key)) } catch {
                throw SetupError(message: "unable to load SSL certificate '\(cert.path)': \(error)")
            }
            contexts.append(try makeContext(cert, chain))
            certificates.append(cert)
        }
        reselect()
    }

    /// Tickets under the workers' shared keys (unless the bind has its own
    /// `tls-ticket-keys` file) and sessions in their shared cache, for the
    /// contexts there are and those the runtime API adds.
    public func share(ticketRing: TLSTicketRing, sessions: (any TLSSessionStore)?) {
        self.ticketRing = ticketRing
        self.sessions = sessions
        sharesSessions = true
        for c in contexts { apply(c) }
    }

    /// Serves `chain` wherever certificate `path` is served; how many contexts changed.
    @discardableResult
    public func replace(path: String, with chain: TLSCertificateChain) throws(SetupError) -> Int {
        var replaced = 0
        for i in certificates.indices where certificates[i].path == path {
            contexts[i] = try makeContext(certificates[i], chain)
            replaced += 1
        }
        if replaced > 0 { reselect() }
        return replaced
    }

    /// Verifies client certificates against `pem` wherever CA file `name`
    /// is used; how many contexts changed.
    @discardableResult
    public func replaceCAFile(_ name: String, pem: [UInt8]) throws(SetupError) -> Int {
        caOverrides[name] = pem
        var replaced = 0
        for i in certificates.indices where certificates[i].settings.caFile == name {
            guard let chain = contexts[i].certificate else { continue }
            contexts[i] = try makeContext(certificates[i], chain)
            replaced += 1
        }
        return replaced
    }

    /// Adds crt-list `list`'s new line `entry` serving `chain`, when this
    /// bind uses the list; whether it does.
    @discardableResult
    public func add(list: String, entry: CrtList.Entry, chain: TLSCertificateChain) throws(SetupError) -> Bool {
        guard bind.tls.crtLists[list] != nil else { return false }
        let settings = entry.settings.map { $0.over(bind.tls.settings) } ?? bind.tls.settings
        let cert = TLSBindCertificate(path: entry.path, settings: settings, filters: entry.filters,
                                      crtList: list, crtListLine: entry.line)
        contexts.append(try makeContext(cert, chain))
        certificates.append(cert)
        reselect()
        return true
    }

    /// Removes line `line` of crt-list `list` (never the bind's last context).
    public func remove(list: String, line: Int) {
        guard let i = certificates.firstIndex(where: { $0.crtList == list && $0.crtListLine == line }), contexts.count > 1 else { return }
        contexts.remove(at: i)
        certificates.remove(at: i)
        reselect()
    }

    /// The certificate each context serves now, by name (path).
    public var chains: [String: TLSCertificateChain] {
        var out: [String: TLSCertificateChain] = [:]
        for (i, c) in contexts.enumerated() { if let chain = c.certificate { out[certificates[i].path] = chain } }
        return out
    }

    private func makeContext(_ cert: TLSBindCertificate, _ chain: TLSCertificateChain) throws(SetupError) -> TLSContext {
        let tls = bind.tls
        let s = cert.settings
        // crt-list lines may carry settings the workers do not serve.
        if s.allow0RTT, let reason = TLSRefusedReasons.byKeyword["allow-0rtt"] {
            throw SetupError(message: "certificate '\(cert.path)': \(reason)")
        }
        var o = TLSContextOptions(versions: s.versions, ciphers: s.ciphers, cipherSuites: s.ciphersuites, alpn: s.alpn,
                                  tickets: !tls.noTLSTickets)
        o.curves = s.curves ?? s.ecdhe
        o.npn = s.npn ?? []
        o.preferClientCiphers = tls.preferClientCiphers
        o.strictServerName = tls.strictSNI
        o.caFile = s.caFile
        o.caPEM = s.caFile.flatMap { caOverrides[$0] }
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
        let context: TLSContext
        do { context = try TLSContext(role: .server, options: o, certificate: chain) } catch {
            throw SetupError(message: "unable to set up TLS for certificate '\(cert.path)': \(error)")
        }
        context.setServerNameHandler { [unowned self] name in self.pick(name) }
        if sharesSessions { apply(context) }
        return context
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

    private func apply(_ c: TLSContext) {
        // A bind's tls-ticket-keys file wins over the derived keys.
        if let ring = fileTicketKeys ?? ticketRing { c.useTicketRing(ring) }
        // No store: `tune.ssl.cachesize 0`, no session cache (as HAProxy).
        c.useSessionStore(sessions)
    }

    private func pick(_ name: String?) -> TLSContext? {
        selection.select(serverName: name, strictSNI: bind.tls.strictSNI).map { contexts[$0] }
    }

    private func reselect() {
        selection = SNICertificateSelection(zip(contexts, certificates).map { context, cert in
            SNICertificateSelection.Certificate(names: context.certificate?.names ?? [], filters: cert.filters)
        })
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

extension TLSContextOptions {
    /// What a bind's certificate and a server line set alike: the version
    /// range HAProxy derives from the filter, ciphers, suites, ALPN, tickets.
    init(versions: TLSVersionFilter, ciphers: String?, cipherSuites: String?, alpn: [String]?, tickets: Bool) {
        self.init()
        (minVersion, maxVersion) = TLSBindContexts.versionRange(versions)
        self.ciphers = ciphers
        self.cipherSuites = cipherSuites
        self.alpn = alpn ?? []
        sessionTickets = tickets
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
