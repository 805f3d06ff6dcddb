import FulcrumConfig
import FulcrumCore
import FulcrumProxy
import FulcrumTLS

/// One generation's runtime certificate API (HAProxy 2.6's `ssl cert` and
/// `ssl crt-list` commands): the store, with the certificates and crt-lists
/// its configuration loaded, and the journal of what was committed since,
/// which every worker of the generation has been sent and a respawned worker
/// is sent again before it starts. A reload starts a new generation, which
/// reads the files again (as HAProxy forgets runtime changes on reload).
final class GenerationCertificates {
    private(set) var store: CertificateStore
    /// Every commit, in order; a certificate or CA file committed again
    /// replaces its earlier commit.
    private(set) var journal: [CertificateStore.Effect] = []

    init(_ loaded: LoadedConfiguration) {
        store = CertificateStore(inspect: GenerationCertificates.inspect, inspectCA: GenerationCertificates.inspectCA)
        for (f, frontend) in loaded.configuration.frontends.enumerated() {
            for (b, bind) in frontend.binds.enumerated() {
                guard f < loaded.bindTLS.count, b < loaded.bindTLS[f].count, let tls = loaded.bindTLS[f][b] else { continue }
                let chains = tls.chains
                for cert in tls.certificates {
                    guard let chain = chains[cert.path] else { continue }
                    store.load(cert.path, pem: Array(chain.leaf.pem.utf8), details: Self.details(chain), instances: 1)
                }
                for cert in tls.certificates {
                    guard let ca = cert.settings.caFile, let pem = try? ConfigLoader.readBytes(ca) else { continue }
                    store.loadCAFile(ca, pem: pem, certificates: Self.inspectCA(pem) ?? [], instances: 1)
                }
                for (path, list) in bind.tls.crtLists {
                    store.loadCrtList(path, lines: list.entries.map {
                        CrtListLine(certificate: $0.path, options: $0.optionWords, filters: $0.filters, line: $0.line)
                    }, binds: 1)
                }
            }
        }
    }

    /// Runs a certificate command; nil when `words` is not one. The answer
    /// ends with the CLI's empty line. `send` gets the messages every
    /// worker must apply.
    func run(_ words: [String], payload: String?, level: Int, send: ([ControlMessage]) -> Void) -> String? {
        guard let reply = store.run(words, payload: payload, level: RuntimeLevel(rawValue: level) ?? .user) else { return nil }
        if let effect = reply.effect {
            record(effect)
            send(Self.messages(effect))
        }
        return reply.text + RuntimeCLI.endOfAnswer
    }

    private func record(_ effect: CertificateStore.Effect) {
        switch effect {
        case .install(let name, _): journal.removeAll { if case .install(name, _) = $0 { return true }; return false }
        case .installCAFile(let name, _): journal.removeAll { if case .installCAFile(name, _) = $0 { return true }; return false }
        case .crtListAdd, .crtListRemove: break
        }
        journal.append(effect)
    }

    /// Everything committed so far, for a worker that starts now.
    var replay: [ControlMessage] { journal.flatMap(Self.messages) }

    /// The commits as text, one each (for a master that re-executes itself).
    var commits: [String] { journal.map { String(decoding: Self.message(for: $0).encode(), as: UTF8.self) } }

    /// Takes the commits the previous master image made (`commits`).
    func restore(_ commits: [String]) {
        for text in commits {
            guard let effect = ControlMessage.decode(Array(text.utf8)).flatMap(Self.effect) else { continue }
            store.apply(effect)
            record(effect)
        }
    }

    /// The messages carrying `effect` to a worker (PEM in chunks).
    static func messages(_ effect: CertificateStore.Effect) -> [ControlMessage] {
        switch effect {
        case .install(let name, let pem): return ControlMessage.certificate(name: name, pem: String(decoding: pem, as: UTF8.self))
        case .installCAFile(let name, let pem): return ControlMessage.caFile(name: name, pem: String(decoding: pem, as: UTF8.self))
        case .crtListAdd, .crtListRemove: return [message(for: effect)]
        }
    }

    /// `effect` as one message (unchunked).
    static func message(for effect: CertificateStore.Effect) -> ControlMessage {
        switch effect {
        case .install(let name, let pem): return .certificate(name: name, final: true, pem: String(decoding: pem, as: UTF8.self))
        case .installCAFile(let name, let pem): return .caFile(name: name, final: true, pem: String(decoding: pem, as: UTF8.self))
        case .crtListAdd(let list, let line):
            var text = line.certificate
            if !line.options.isEmpty { text += " [" + line.options.joined(separator: " ") + "]" }
            for f in line.filters { text += " " + f }
            return .crtListAdd(list: list, line: line.line, text: text)
        case .crtListRemove(let list, let line): return .crtListRemove(list: list, line: line)
        }
    }

    /// The commit one whole message carries.
    static func effect(_ m: ControlMessage) -> CertificateStore.Effect? {
        switch m {
        case .certificate(let name, true, let pem): return .install(name: name, pem: Array(pem.utf8))
        case .caFile(let name, true, let pem): return .installCAFile(name: name, pem: Array(pem.utf8))
        case .crtListAdd(let list, let line, let text): return CrtListLine.parse(text, line: line).map { .crtListAdd(list: list, line: $0) }
        case .crtListRemove(let list, let line): return .crtListRemove(list: list, line: line)
        default: return nil
        }
    }

    /// What a PEM holds, as `show ssl cert` shows it; nil without a
    /// certificate. A key that is missing or does not match leaves
    /// `hasKey` false (the commit refuses it).
    @Sendable static func inspect(_ pem: [UInt8]) -> CertificateDetails? {
        if let chain = try? TLSCertificateChain(pem: pem) { return details(chain) }
        guard let leaf = try? TLSCertificate(pem: pem) else { return nil }
        var d = details(leaf)
        d.hasKey = false
        return d
    }

    /// Every certificate of a CA file's PEM.
    @Sendable static func inspectCA(_ pem: [UInt8]) -> [CertificateDetails]? {
        let all = TLSCertificate.all(pem: pem)
        return all.isEmpty ? nil : all.map(details)
    }

    static func details(_ chain: TLSCertificateChain) -> CertificateDetails {
        var d = details(chain.leaf)
        d.chain = chain.intermediates.map { ($0.subject, $0.issuer) }
        d.hasKey = true
        return d
    }

    static func details(_ c: TLSCertificate) -> CertificateDetails {
        var d = CertificateDetails()
        d.serial = c.serialHex
        d.notBefore = c.notBeforeText
        d.notAfter = c.notAfterText
        d.subjectAltName = c.subjectAltNameText
        d.algorithm = c.keyAlgorithm
        d.sha1 = c.sha1Hex
        d.subject = c.subject
        d.issuer = c.issuer
        return d
    }
}
