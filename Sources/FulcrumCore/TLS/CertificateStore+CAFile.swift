/// A CA file of the store (HAProxy's cafile_entry): its PEM and the
/// certificates in it.
public struct StoredCAFile: Equatable, Sendable {
    public var pem: [UInt8]
    public var certificates: [CertificateDetails]
    public init(pem: [UInt8], certificates: [CertificateDetails]) { self.pem = pem; self.certificates = certificates }
}

/// `show/set/commit/abort ssl ca-file`: HAProxy 2.6's CA file transaction,
/// one at a time, apart from the certificate one.
extension CertificateStore {
    /// A CA file of the configuration, used by `instances` bind contexts.
    public mutating func loadCAFile(_ name: String, pem: [UInt8], certificates: [CertificateDetails], instances n: Int) {
        if caFiles[name] == nil { caFiles[name] = StoredCAFile(pem: pem, certificates: certificates) }
        caInstances[name, default: 0] += n
    }

    public func showCAFile(_ spec: String?) -> String {
        func summary(_ f: StoredCAFile) -> String { " - \(f.certificates.count) certificate(s)\n" }
        guard let spec else {
            var out = ""
            if let t = caTransaction { out += "# transaction\n*\(t.name)" + summary(t.file) }
            out += "# filename\n"
            for n in caFiles.keys.sorted(by: CertificateStore.byteOrder) { out += n + summary(caFiles[n]!) }
            return out
        }
        // NAME:N shows the N-th certificate only.
        var name = spec, only: Int? = nil
        if let colon = spec.lastIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]) {
            name = String(spec[..<colon])
            only = n
        }
        let file: StoredCAFile, status: String
        if name.hasPrefix("*") {
            guard let t = caTransaction, "*" + t.name == name else { return "Can't display the CA file : Not found!\n" }
            (file, status) = (t.file, "Unused")
        } else {
            guard let f = caFiles[name] else { return "Can't display the CA file : Not found!\n" }
            (file, status) = (f, (caInstances[name] ?? 0) > 0 ? "Used" : "Unused")
        }
        var out = "Filename: \(name)\nStatus: \(status)\n"
        for (i, d) in file.certificates.enumerated() where only == nil || only == i + 1 {
            out += " \nCertificate #\(i + 1):\n" + d.text
        }
        return out
    }

    public mutating func setCAFile(_ name: String?, payload: String?) -> Reply {
        guard let name, let payload else { return Reply("'set ssl ca-file expects a filename and CAs as a payload\n") }
        if let t = caTransaction, t.name != name {
            return Reply("The ongoing transaction is about '\(t.name)' but you are trying to set '\(name)'\nCan't update \(name)!\n")
        }
        guard caFiles[name] != nil else {
            return Reply("Can't replace a CA file which is not referenced by the configuration!\nCan't update \(name)!\n")
        }
        let pem = Array(payload.utf8)
        guard let certificates = inspectCA(pem), !certificates.isEmpty else { return Reply("Invalid payload\nCan't update \(name)!\n") }
        let updated = caTransaction != nil
        caTransaction = (name, StoredCAFile(pem: pem, certificates: certificates))
        return Reply("transaction \(updated ? "updated" : "created") for CA \(name)!\n")
    }

    public mutating func commitCAFile(_ name: String?) -> Reply {
        guard let name else { return Reply("'commit ssl ca-file expects a filename\n") }
        guard let t = caTransaction, t.name == name else { return Self.commitRefusal(open: caTransaction?.name, name) }
        caTransaction = nil
        caFiles[name] = t.file
        let dots = String(repeating: ".", count: caInstances[name] ?? 0)
        return Reply("Committing \(name)\(dots)\nSuccess!\n", effect: .installCAFile(name: name, pem: t.file.pem))
    }

    public mutating func abortCAFile(_ name: String?) -> Reply {
        guard let name else { return Reply("'abort ssl ca-file' expects a filename\n") }
        guard caTransaction?.name == name else { return Self.abortRefusal(open: caTransaction?.name, name) }
        caTransaction = nil
        return Reply("Transaction aborted for certificate '\(name)'!\n")
    }
}
