/// What `show ssl cert NAME` prints about a loaded certificate, read by the
/// daemon from OpenSSL (this module does no crypto): values already in
/// HAProxy's text (hex serial, `ASN1_TIME_print` dates, `/CN=` names).
public struct CertificateDetails: Equatable, Sendable {
    public var serial = ""
    public var notBefore = ""
    public var notAfter = ""
    /// `DNS:a, DNS:b`; empty when the certificate has no SAN.
    public var subjectAltName = ""
    /// `RSA2048`, `EC256`.
    public var algorithm = ""
    public var sha1 = ""
    public var subject = ""
    public var issuer = ""
    /// The intermediates' (subject, issuer), in file order.
    public var chain: [(subject: String, issuer: String)] = []
    /// The PEM held a private key matching the certificate.
    public var hasKey = false

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.serial == b.serial && a.notBefore == b.notBefore && a.notAfter == b.notAfter
            && a.subjectAltName == b.subjectAltName && a.algorithm == b.algorithm && a.sha1 == b.sha1
            && a.subject == b.subject && a.issuer == b.issuer && a.hasKey == b.hasKey
            && a.chain.map(\.subject) == b.chain.map(\.subject) && a.chain.map(\.issuer) == b.chain.map(\.issuer)
    }
}

/// One certificate of the store: HAProxy's ckch_store. `pem` nil: created
/// empty by `new ssl cert` and not committed yet.
public struct StoredCertificate: Equatable, Sendable {
    public var pem: [UInt8]?
    public var details: CertificateDetails?
    public init(pem: [UInt8]? = nil, details: CertificateDetails? = nil) { self.pem = pem; self.details = details }
}

/// The runtime certificate API's state, as HAProxy 2.6 keeps it in one
/// process: certificates by name (the path as the configuration wrote it,
/// `crt-base` applied), how many bind contexts serve each (its instances),
/// the crt-lists, and the one transaction `set ssl cert` opens and `commit`
/// or `abort` closes. Pure: the daemon inspects PEM through `inspect` and
/// carries out the `Effect`s (every worker must serve what was committed).
public struct CertificateStore: Sendable {
    /// PEM bytes in, the certificate's details out, or nil when no
    /// certificate can be read from them.
    public typealias Inspector = @Sendable ([UInt8]) -> CertificateDetails?
    /// Every certificate of a CA file's PEM; nil when there is none or
    /// something else than certificates.
    public typealias CAInspector = @Sendable ([UInt8]) -> [CertificateDetails]?

    /// What the workers must do after a command.
    public enum Effect: Equatable, Sendable {
        /// Serve `pem` wherever certificate `name` is served (and know it
        /// under that name for a later `add ssl crt-list`).
        case install(name: String, pem: [UInt8])
        /// Add a crt-list line (as text) to every bind using list `list`.
        case crtListAdd(list: String, line: CrtListLine)
        /// Remove line `line` of crt-list `list` from every bind using it.
        case crtListRemove(list: String, line: Int)
        /// Verify client certificates against `pem` wherever CA file `name` is used.
        case installCAFile(name: String, pem: [UInt8])
    }

    /// One command's answer (without the empty line that ends every answer)
    /// and what the workers must do.
    public struct Reply: Equatable, Sendable {
        public var text: String
        public var effect: Effect?
        public init(_ text: String, effect: Effect? = nil) { self.text = text; self.effect = effect }
    }

    public internal(set) var certificates: [String: StoredCertificate] = [:]
    /// Bind contexts serving each certificate.
    public internal(set) var instances: [String: Int] = [:]
    public internal(set) var crtLists: [String: [CrtListLine]] = [:]
    /// Binds using each crt-list (each line there is one instance per bind).
    public internal(set) var crtListBinds: [String: Int] = [:]
    public internal(set) var transaction: (name: String, certificate: StoredCertificate)?
    /// CA files (`ca-file`) by name: their PEM and certificates.
    public internal(set) var caFiles: [String: StoredCAFile] = [:]
    /// Bind contexts verifying against each CA file.
    public internal(set) var caInstances: [String: Int] = [:]
    public internal(set) var caTransaction: (name: String, file: StoredCAFile)?
    let inspect: Inspector
    let inspectCA: CAInspector

    public init(inspect: @escaping Inspector, inspectCA: @escaping CAInspector = { _ in nil }) {
        self.inspect = inspect
        self.inspectCA = inspectCA
    }

    /// A certificate loaded from the configuration, served by `instances`
    /// more contexts (a name loaded again only counts them).
    public mutating func load(_ name: String, pem: [UInt8], details: CertificateDetails?, instances n: Int) {
        if certificates[name] == nil { certificates[name] = StoredCertificate(pem: pem, details: details) }
        instances[name, default: 0] += n
    }

    /// A crt-list of the configuration and how many binds use it.
    public mutating func loadCrtList(_ path: String, lines: [CrtListLine], binds: Int) {
        if crtLists[path] == nil { crtLists[path] = lines }
        crtListBinds[path, default: 0] += binds
    }

    /// Takes a commit made before (a master that re-executed itself carries
    /// its generations' commits over): the state it left, without answers.
    public mutating func apply(_ effect: Effect) {
        switch effect {
        case .install(let name, let pem):
            certificates[name] = StoredCertificate(pem: pem, details: inspect(pem))
        case .installCAFile(let name, let pem):
            caFiles[name] = StoredCAFile(pem: pem, certificates: inspectCA(pem) ?? [])
        case .crtListAdd(let list, let line):
            crtLists[list, default: []].append(line)
            instances[line.certificate, default: 0] += crtListBinds[list] ?? 0
        case .crtListRemove(let list, let line):
            guard let victim = crtLists[list]?.first(where: { $0.line == line }) else { return }
            crtLists[list]?.removeAll { $0.line == line }
            instances[victim.certificate] = max(0, (instances[victim.certificate] ?? 0) - (crtListBinds[list] ?? 0))
        }
    }

    // MARK: certificates

    public mutating func newCertificate(_ name: String?) -> Reply {
        guard let name else { return Reply("'new ssl cert' expects a filename\n") }
        if certificates[name] != nil { return Reply("Certificate '\(name)' already exists!\n") }
        certificates[name] = StoredCertificate()
        return Reply("New empty certificate store '\(name)'!\n")
    }

    /// `set ssl cert NAME <<`: opens the transaction, or updates the open
    /// one (HAProxy 2.6 updates the open transaction whatever name is given).
    public mutating func setCertificate(_ name: String?, payload: String?) -> Reply {
        guard let name, let payload else { return Reply("'set ssl cert expects a filename and a certificate as a payload\n") }
        let target = transaction?.name ?? name
        guard transaction != nil || certificates[name] != nil else {
            return Reply("Can't replace a certificate which is not referenced by the configuration!\nCan't update \(name)!\n")
        }
        let pem = Array(payload.utf8)
        guard let details = inspect(pem) else {
            return Reply("unable to load certificate from file '\(name)'.\nCan't load the payload\nCan't update \(name)!\n")
        }
        let updated = transaction != nil
        transaction = (target, StoredCertificate(pem: pem, details: details))
        return Reply(updated ? "Transaction updated for certificate \(target)!\n" : "Transaction created for certificate \(target)!\n")
    }

    public mutating func commitCertificate(_ name: String?) -> Reply {
        guard let name else { return Reply("'commit ssl cert expects a filename\n") }
        guard let t = transaction, t.name == name else { return Self.commitRefusal(open: transaction?.name, name) }
        guard let pem = t.certificate.pem, t.certificate.details?.hasKey == true else {
            return Reply("The transaction must contain at least a certificate and a private key!\nCan't commit \(name)!\n")
        }
        transaction = nil
        certificates[name] = t.certificate
        let dots = String(repeating: ".", count: instances[name] ?? 0)
        return Reply("Committing \(name)\(dots)\nSuccess!\n", effect: .install(name: name, pem: pem))
    }

    public mutating func abortCertificate(_ name: String?) -> Reply {
        guard let name else { return Reply("'abort ssl cert' expects a filename\n") }
        guard transaction?.name == name else { return Self.abortRefusal(open: transaction?.name, name) }
        transaction = nil
        return Reply("Transaction aborted for certificate '\(name)'!\n")
    }

    /// Why `commit` of `name` is refused when the open transaction (`open`,
    /// nil: none) is not about it, in HAProxy's words (certificates and CA
    /// files alike).
    static func commitRefusal(open: String?, _ name: String) -> Reply {
        guard let open else { return Reply("No ongoing transaction! !\nCan't commit \(name)!\n") }
        return Reply("The ongoing transaction is about '\(open)' but you are trying to set '\(name)'\nCan't commit \(name)!\n")
    }

    /// Why `abort` of `name` is refused, likewise.
    static func abortRefusal(open: String?, _ name: String) -> Reply {
        guard let open else { return Reply("No ongoing transaction!\n") }
        return Reply("The ongoing transaction is about '\(open)' but you are trying to abort a transaction for '\(name)'\n")
    }

    public mutating func deleteCertificate(_ name: String?) -> Reply {
        guard let name else { return Reply("'del ssl cert' expects a certificate name\n") }
        let prefix = "Can't remove the certificate: "
        if transaction?.name == name {
            return Reply(prefix + "certificate '\(name)' is being modified, can't be deleted!\n\n")
        }
        guard certificates[name] != nil else { return Reply(prefix + "certificate '\(name)' doesn't exist!\n\n") }
        if (instances[name] ?? 0) > 0 { return Reply(prefix + "certificate '\(name)' in use, can't be deleted!\n\n") }
        certificates[name] = nil
        instances[name] = nil
        return Reply("Certificate '\(name)' deleted!\n")
    }
}
