/// Which certificate a TLS listener presents for a ClientHello's server
/// name, as HAProxy 2.6 chooses (ssl_sock_switchctx_cbk): an exact name
/// first, then a `*.` wildcard covering exactly one label, the first
/// certificate of the bind line otherwise (or none with `strict-sni`).
/// Names are the certificate's CN and DNS SANs, as the transport extracts
/// them, unless its crt-list line gives SNI filters (`!` excluding a name
/// from that line's wildcards). Pure: built once per bind line.
public struct SNICertificateSelection: Sendable {
    /// The key algorithm: a client that signs with ECDSA gets an ECDSA
    /// certificate when one has the name (HAProxy's per-name preference).
    public enum KeyType: Sendable { case ecdsa, rsa, other }

    public struct Certificate: Sendable {
        public var names: [String]
        public var filters: [String]
        public var keyType: KeyType
        public init(names: [String], filters: [String] = [], keyType: KeyType = .rsa) {
            self.names = names; self.filters = filters; self.keyType = keyType
        }
    }

    private struct Candidate: Sendable {
        var index: Int
        var keyType: KeyType
    }

    /// Lower-cased exact names → candidates in insertion order.
    private var exact: [String: [Candidate]] = [:]
    /// Wildcards by their suffix from the first dot (".example.com").
    private var wildcard: [String: [Candidate]] = [:]
    /// Per certificate: exact names its crt-list line excludes with `!`.
    private var excluded: [Set<String>] = []
    public let count: Int

    public init(_ certificates: [Certificate]) {
        count = certificates.count
        for (i, c) in certificates.enumerated() {
            var negatives = Set<String>()
            for raw in c.filters.isEmpty ? c.names : c.filters {
                var name = Substring(raw.lowercased())
                let negative = name.hasPrefix("!")
                if negative { name = name.dropFirst() }
                let wild = name.hasPrefix("*")
                if wild { name = name.dropFirst() }
                guard !name.isEmpty else { continue }
                if negative {
                    if !wild { negatives.insert(String(name)) }
                    continue
                }
                let candidate = Candidate(index: i, keyType: c.keyType)
                if wild { wildcard[String(name), default: []].append(candidate) } else { exact[String(name), default: []].append(candidate) }
            }
            excluded.append(negatives)
        }
    }

    /// The index of the certificate to present; nil: none (the handshake
    /// is refused: `strict-sni` without a match, or no certificate at all).
    /// - serverName: the SNI as sent (nil when the ClientHello has none).
    /// - ecdsa, rsa: which signature algorithms the client offers.
    public func select(serverName: String?, strictSNI: Bool, ecdsa: Bool = true, rsa: Bool = true) -> Int? {
        guard count > 0 else { return nil }
        guard let serverName else { return strictSNI ? nil : 0 }
        let name = serverName.lowercased()
        if let hit = pick(exact[name], name: name, wildcard: false, ecdsa: ecdsa, rsa: rsa) { return hit }
        if let dot = name.firstIndex(of: "."),
           let hit = pick(wildcard[String(name[dot...])], name: name, wildcard: true, ecdsa: ecdsa, rsa: rsa) {
            return hit
        }
        return strictSNI ? nil : 0
    }

    private func pick(_ candidates: [Candidate]?, name: String, wildcard: Bool, ecdsa: Bool, rsa: Bool) -> Int? {
        guard let candidates else { return nil }
        var firstECDSA: Int? = nil, firstRSA: Int? = nil, firstOther: Int? = nil
        for c in candidates {
            if wildcard, excluded[c.index].contains(name) { continue }
            switch c.keyType {
            case .ecdsa: if firstECDSA == nil { firstECDSA = c.index }
            case .rsa: if firstRSA == nil { firstRSA = c.index }
            case .other: if firstOther == nil { firstOther = c.index }
            }
        }
        if ecdsa, let i = firstECDSA { return i }
        if rsa, let i = firstRSA { return i }
        return firstOther ?? firstECDSA ?? firstRSA
    }
}
