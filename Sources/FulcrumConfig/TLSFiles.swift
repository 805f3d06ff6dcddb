import FulcrumBytes

/// The files TLS settings name, checked and read through an injected
/// reader (FulcrumConfig does no I/O; the daemon passes the filesystem,
/// tests a dictionary): certificate files and directories, crt-lists, CA
/// and CRL files, ticket keys, DH parameters. HAProxy reads them while it
/// parses; the messages are its own.
public protocol TLSFileReader {
    /// nil when the path exists; otherwise strerror's text ("No such file or directory").
    func statError(_ path: String) -> String?
    func isDirectory(_ path: String) -> Bool
    /// The names in a directory (no "." or ".."), any order.
    func entries(_ directory: String) -> [String]
    /// The file's text, or strerror's text.
    func read(_ path: String) -> Result<String, TLSFileError>
}

public struct TLSFileError: Error, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// One certificate a bind line serves, in HAProxy's order (the first is
/// the default), with the settings and SNI filters of its crt-list line.
public struct TLSBindCertificate: Equatable, Sendable {
    public var path: String
    public var settings: TLSCertificateSettings
    /// Empty: the certificate's own names (CN, SANs) select it.
    public var filters: [String]
    /// Files beside it that `ssl-load-extra-files` looks for and exist.
    public var keyFile: String?
    public var ocspFile: String?
    public var issuerFile: String?
    public var sctlFile: String?
    /// The crt-list and line it came from (the runtime API edits by line).
    public var crtList: String? = nil
    public var crtListLine: Int? = nil

    public init(path: String, settings: TLSCertificateSettings, filters: [String], keyFile: String? = nil,
                ocspFile: String? = nil, issuerFile: String? = nil, sctlFile: String? = nil,
                crtList: String? = nil, crtListLine: Int? = nil) {
        self.path = path; self.settings = settings; self.filters = filters; self.keyFile = keyFile
        self.ocspFile = ocspFile; self.issuerFile = issuerFile; self.sctlFile = sctlFile
        self.crtList = crtList; self.crtListLine = crtListLine
    }
}

public enum TLSFiles {
    /// Reads what the configuration's TLS settings name; fills each bind's
    /// `certificates` and `crtLists`; returns HAProxy's errors at the line.
    public static func load(_ configuration: inout Configuration, reader: some TLSFileReader) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let g = configuration.global.tls
        if let file = g.dhParamFile, reader.statError(file) != nil {
            out.append(Diagnostic(.alert, nil, "'ssl-dh-param-file': unable to load DH parameters from file <\(file)>."))
        }
        for f in configuration.frontends.indices {
            let proxy = configuration.frontends[f].name
            for b in configuration.frontends[f].binds.indices {
                var bind = configuration.frontends[f].binds[b]
                guard bind.tls.enabled || !bind.tls.sources.isEmpty else { continue }
                loadBind(&bind, proxy: proxy, global: g, reader: reader, into: &out)
                configuration.frontends[f].binds[b] = bind
            }
        }
        for i in configuration.backends.indices {
            let name = configuration.backends[i].name
            for server in configuration.backends[i].servers where server.params.tls.used {
                let prefix = "'server \(name)/\(server.name)' : "
                let tls = server.params.tls
                for (keyword, path) in [("ca-file", tls.caFile), ("crl-file", tls.crlFile)] {
                    guard let path, let reason = reader.statError(path) else { continue }
                    out.append(Diagnostic(.alert, server.location, prefix + "Couldn't open the ca-file '\(path)' (\(reason))."))
                    out.append(Diagnostic(.alert, server.location, "'\(keyword)' : unable to load \(path)."))
                }
                if let crt = tls.certificate, let reason = reader.statError(crt) {
                    out.append(Diagnostic(.alert, server.location, prefix + "unable to stat SSL certificate from file '\(crt)' : \(reason)."))
                }
            }
        }
        return out
    }

    private static func loadBind(_ bind: inout Bind, proxy: String, global g: GlobalTLS, reader: some TLSFileReader,
                                 into out: inout [Diagnostic]) {
        let at = bind.location
        var certificates: [TLSBindCertificate] = []
        var failed = false
        for source in bind.tls.sources {
            switch source {
            case .file(let path):
                if let bundle = bundleRefusal(path, global: g, reader: reader) {
                    out.append(Diagnostic(.alert, at, bundle))
                    failed = true
                    continue
                }
                if let reason = reader.statError(path) {
                    out.append(Diagnostic(.alert, at, "unable to stat SSL certificate from file '\(path)' : \(reason)."))
                    failed = true
                    continue
                }
                for file in certificateFiles(path, reader: reader) {
                    certificates.append(certificate(file, settings: bind.tls.settings, filters: [], g, reader))
                }
            case .list(let path):
                let text: String
                switch reader.read(path) {
                case .failure(let e):
                    out.append(Diagnostic(.alert, at, "'crt-list' : cannot open file '\(path)' : \(e.reason)"))
                    failed = true
                    continue
                case .success(let t): text = t
                }
                let (list, messages) = CrtList.parse(text, path: path, crtBase: g.crtBase, caBase: g.caBase)
                for m in messages {
                    out.append(Diagnostic(m.isError ? .alert : .warning, at, "'crt-list' : " + m.text))
                    if m.isError { failed = true }
                }
                bind.tls.crtLists[path] = list
                for entry in list.entries {
                    if let reason = reader.statError(entry.path) {
                        out.append(Diagnostic(.alert, at, "'crt-list' : unable to stat SSL certificate from file '\(entry.path)' : \(reason)."))
                        failed = true
                        continue
                    }
                    let settings = entry.settings.map { $0.over(bind.tls.settings) } ?? bind.tls.settings
                    for file in certificateFiles(entry.path, reader: reader) {
                        var c = certificate(file, settings: settings, filters: entry.filters, g, reader)
                        c.crtList = path
                        c.crtListLine = entry.line
                        certificates.append(c)
                    }
                }
            }
        }
        let s = bind.tls.settings
        for (keyword, path) in [("ca-file", s.caFile), ("ca-verify-file", s.caVerifyFile), ("crl-file", s.crlFile)] {
            guard let path, let reason = reader.statError(path) else { continue }
            out.append(Diagnostic(.alert, nil, "Couldn't open the ca-file '\(path)' (\(reason))."))
            out.append(Diagnostic(.alert, at, "'\(keyword)' : unable to load \(path)"))
        }
        if let keys = bind.tls.ticketKeysFile {
            switch ticketKeys(keys, reader: reader) {
            case .success(let list): bind.tls.ticketKeys = list
            case .failure(let e): out.append(Diagnostic(.alert, at, e.reason))
            }
        }
        bind.tls.certificates = certificates
        guard bind.tls.enabled, !failed else { return }
        if certificates.isEmpty, !bind.tls.sources.isEmpty {
            out.append(Diagnostic(.alert, at, "Proxy '\(proxy)': no SSL certificate specified for bind '\(bind.spec)' (use 'crt')."))
        }
        // A crt-list line asking for client certificates needs a CA file too.
        let unverifiable = certificates.contains {
            ($0.settings.verify.map { $0 != .none } ?? false) && $0.settings.caFile == nil && $0.settings.caVerifyFile == nil
        }
        if unverifiable, s.verify.map({ $0 == .none }) ?? true {
            out.append(Diagnostic(.alert, at, "Proxy '\(proxy)': verify is enabled but no CA file specified for bind '\(bind.spec)'."))
        }
    }

    /// HAProxy's `tls-ticket-keys` file: one base64 key a line, 48 bytes
    /// (AES-128) or 80 (AES-256), all the same size, at least 3; its messages.
    static func ticketKeys(_ path: String, reader: some TLSFileReader) -> Result<[[UInt8]], TLSFileError> {
        guard case .success(let text) = reader.read(path) else {
            return .failure(TLSFileError("'\(path)' : unable to load ssl tickets keys file"))
        }
        var keys: [[UInt8]] = []
        // Bytes, not Characters: "\r\n" is one Character to Swift.
        let bytes = Array(text.utf8)
        for line in bytes.split(separator: 10, omittingEmptySubsequences: false).dropLast(bytes.last == 10 ? 1 : 0) {
            let n = keys.count + 1
            let trimmed = line.last == 13 ? line.dropLast() : line
            guard let key = Base64.decode(String(decoding: trimmed, as: UTF8.self)) else {
                return .failure(TLSFileError("'\(path)' : unable to decode base64 key on line \(n)"))
            }
            guard key.count == 48 || key.count == 80, keys.first.map({ $0.count == key.count }) ?? true else {
                return .failure(TLSFileError("'\(path)' : wrong sized key on line \(n)"))
            }
            keys.append(key)
        }
        guard keys.count >= 3 else {
            return .failure(TLSFileError("'\(path)' : please supply at least 3 keys in the tls-tickets-file"))
        }
        return .success(keys)
    }

    /// A file, or a directory's certificate files: sorted by name, without
    /// hidden files and the extra files that sit beside certificates.
    static func certificateFiles(_ path: String, reader: some TLSFileReader) -> [String] {
        guard reader.isDirectory(path) else { return [path] }
        let skipped = [".issuer", ".ocsp", ".sctl", ".key"]
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        return reader.entries(path)
            .filter { name in !name.hasPrefix(".") && !skipped.contains { name.hasSuffix($0) } }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { base + "/" + $0 }
            .filter { reader.statError($0) == nil && !reader.isDirectory($0) }
    }

    /// HAProxy 2.6 loads `crt NAME` as the bundle NAME.rsa, NAME.ecdsa,
    /// NAME.dsa when NAME itself is missing (`ssl-load-extra-files bundle`);
    /// Fulcrum does not: refused, saying why and what to write instead.
    static func bundleRefusal(_ path: String, global g: GlobalTLS, reader: some TLSFileReader) -> String? {
        guard g.extraFiles.contains(.bundle), reader.statError(path) != nil else { return nil }
        let members = [".rsa", ".ecdsa", ".dsa"].map { path + $0 }.filter { reader.statError($0) == nil }
        guard !members.isEmpty else { return nil }
        return "certificate bundle '\(path)' (\(members.joined(separator: ", "))) is not supported: "
            + "name each certificate with its own 'crt' (HAProxy 2.6 serves the members as separate certificates too)"
    }

    private static func certificate(_ path: String, settings: TLSCertificateSettings, filters: [String], _ g: GlobalTLS,
                                    _ reader: some TLSFileReader) -> TLSBindCertificate {
        func extra(_ kind: TLSExtraFile, _ suffix: String) -> String? {
            guard g.extraFiles.contains(kind), reader.statError(path + suffix) == nil else { return nil }
            return path + suffix
        }
        return TLSBindCertificate(path: path, settings: settings, filters: filters, keyFile: extra(.key, ".key"),
                                  ocspFile: extra(.ocsp, ".ocsp"), issuerFile: extra(.issuer, ".issuer"),
                                  sctlFile: extra(.sctl, ".sctl"))
    }
}
