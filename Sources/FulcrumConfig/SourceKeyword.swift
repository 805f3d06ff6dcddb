import FulcrumBytes

/// `source ADDR[:PORT] [usesrc { ADDR[:PORT] | client | clientip }]`, in a
/// backend (every server's default) or on a server line: the address a
/// server connection is bound to before it connects; `usesrc` makes it a
/// foreign one (IP_TRANSPARENT): the client's address, and port with `client`.
public struct SourceBinding: Equatable, Sendable {
    public enum UseSource: Equatable, Sendable {
        case none
        /// `usesrc client`: the client's address and port.
        case client
        /// `usesrc clientip`: the client's address, any port.
        case clientIP
        /// `usesrc ADDR[:PORT]`: that foreign address.
        case address(host: String, port: Int)
    }

    /// A numeric IPv4/IPv6 address ("0.0.0.0": any).
    public var host: String
    /// 0: any (the kernel picks one at connect: IP_BIND_ADDRESS_NO_PORT).
    public var port: Int
    public var useSource: UseSource
    public init(host: String, port: Int = 0, useSource: UseSource = .none) {
        self.host = host; self.port = port; self.useSource = useSource
    }
}

/// `proxy-v2-options OPT[,OPT...]`: HAProxy's TLVs after a v2 header's addresses.
public struct ProxyV2Options: OptionSet, Equatable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let ssl = ProxyV2Options(rawValue: 1)
    public static let certCN = ProxyV2Options(rawValue: 2)
    public static let sslCipher = ProxyV2Options(rawValue: 4)
    public static let authority = ProxyV2Options(rawValue: 8)
    public static let crc32c = ProxyV2Options(rawValue: 16)
    public static let uniqueID = ProxyV2Options(rawValue: 32)

    /// The served names (HAProxy's `cert-sig` and `cert-key` are refused).
    public static let byName: [String: ProxyV2Options] = [
        "ssl": .ssl, "cert-cn": .certCN, "ssl-cipher": .sslCipher, "authority": .authority,
        "crc32c": .crc32c, "unique-id": .uniqueID,
    ]
}

extension ParseSession {
    /// `proxy-v2-options a,b,...`; false after reporting a wrong one.
    mutating func proxyV2Options(_ word: Word, into options: inout ProxyV2Options, at: (Word) -> SourceLocation) -> Bool {
        for name in word.text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if let o = ProxyV2Options.byName[name] {
                options.insert(o)
                // HAProxy: cert-cn and ssl-cipher imply ssl.
                if o == .certCN || o == .sslCipher { options.insert(.ssl) }
            } else if name == "cert-sig" || name == "cert-key" {
                alert(at(word), "'proxy-v2-options \(name)' is not supported yet")
                return false
            } else {
                alert(at(word), "'proxy-v2-options' : unknown option '\(name)'"
                      + hint(name, Array(ProxyV2Options.byName.keys) + ["cert-sig", "cert-key"]))
                return false
            }
        }
        return true
    }

    /// The `source` proxy keyword.
    mutating func sourceKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        var i = 1
        guard let binding = sourceArguments(words[...], from: &i, at: at) else { return }
        if i < words.count {
            alert(at(words[i]), "unexpected argument '\(words[i].text)' for 'source'")
            return
        }
        drafts[index].settings.source = binding
    }

    /// Reads ADDR[:PORT] and an optional `usesrc X` from `words[i...]`
    /// (after the `source` word); nil after reporting what is wrong.
    mutating func sourceArguments(_ words: ArraySlice<Word>, from i: inout Int, at: (Word) -> SourceLocation) -> SourceBinding? {
        guard i < words.endIndex else {
            alert(at(words[i - 1]), "'source' expects <addr>[:<port>] as argument")
            return nil
        }
        let addressWord = words[i]
        i += 1
        guard let (host, port) = sourceAddress(addressWord, at: at) else { return nil }
        var binding = SourceBinding(host: host, port: port)
        while i < words.endIndex {
            switch words[i].text {
            case "usesrc":
                guard i + 1 < words.endIndex else {
                    alert(at(words[i]), "'usesrc' expects <addr>[:<port>], 'client', 'clientip', or 'hdr_ip(name,#)' as argument")
                    return nil
                }
                let value = words[i + 1]
                i += 2
                switch value.text {
                case "client": binding.useSource = .client
                case "clientip": binding.useSource = .clientIP
                default:
                    if value.text.hasPrefix("hdr_ip(") {
                        alert(at(value), "'usesrc hdr_ip(...)' is not supported yet")
                        return nil
                    }
                    guard let (h, p) = sourceAddress(value, at: at) else { return nil }
                    binding.useSource = .address(host: h, port: p)
                }
            case "interface":
                alert(at(words[i]), "'source ... interface' is not supported yet")
                return nil
            default:
                return binding
            }
        }
        return binding
    }

    /// A numeric address with an optional single port ("*" and "" mean any).
    private mutating func sourceAddress(_ word: Word, at: (Word) -> SourceLocation) -> (String, Int)? {
        var text = word.text
        for p in ["ipv4@", "ipv6@"] where text.hasPrefix(p) { text.removeFirst(p.count) }
        guard case .success(let (hostText, portText)) = ValueParsers.splitHostPort(text) else {
            alert(at(word), "invalid source address '\(word.text)'")
            return nil
        }
        var host = hostText
        if host.isEmpty || host == "*" { host = "0.0.0.0" }
        guard IPAddress(host) != nil else {
            alert(at(word), "source address '\(host)' must be a numeric IPv4 or IPv6 address")
            return nil
        }
        guard let portText, !portText.isEmpty else { return (host, 0) }
        if portText.contains("-") {
            alert(at(word), "source port ranges ('\(portText)') are not supported yet")
            return nil
        }
        guard case .success(let p) = ValueParsers.port(portText, for: "source") else {
            alert(at(word), "invalid source port '\(portText)'")
            return nil
        }
        return (host, p)
    }
}
