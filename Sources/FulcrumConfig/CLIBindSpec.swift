/// A CLI endpoint as `stats socket ADDRESS OPTIONS...` and the master CLI's
/// `-S ADDRESS[,OPTION,VALUE...]` both write it (HAProxy's bind syntax, the
/// part a CLI uses): one reader, so the two accept the same forms.
public struct CLIBindSpec: Equatable, Sendable {
    public enum Address: Equatable, Sendable {
        /// A UNIX stream socket path (`unix@` removed).
        case unix(String)
        /// `ipv4@HOST:PORT`, `ipv6@HOST:PORT` (brackets allowed), or `HOST:PORT`.
        case inet(host: String, port: Int)
        /// `fd@N`: a listening socket the process inherited.
        case inheritedFD(Int32)

        /// The path of a UNIX socket, else the address in its prefixed form.
        public var text: String {
            switch self {
            case .unix(let p): return p
            case .inet(let host, let port): return host.contains(":") ? "ipv6@[\(host)]:\(port)" : "ipv4@\(host):\(port)"
            case .inheritedFD(let n): return "fd@\(n)"
            }
        }
    }

    public var address: Address
    /// Permission bits of a UNIX socket file; nil: the umask's.
    public var mode: UInt32?
    /// Owner of a UNIX socket file: `user`/`uid`, `group`/`gid` (names are
    /// resolved when the socket is made, numbers are taken as they are).
    public var user: String?
    public var group: String?
    /// nil: the endpoint's default (operator for `stats socket`, admin for -S).
    public var level: StatsSocket.Level?
    /// `expose-fd listeners`: `_getsocks` hands out the listening sockets.
    public var expose = false

    public init(address: Address, mode: UInt32? = nil, user: String? = nil, group: String? = nil,
                level: StatsSocket.Level? = nil, expose: Bool = false) {
        self.address = address; self.mode = mode; self.user = user; self.group = group
        self.level = level; self.expose = expose
    }

    /// What is wrong and which word says it (0: the address).
    public struct Failure: Error, Equatable {
        public var message: String
        public var word: Int
    }

    static let options = ["mode", "level", "expose-fd", "user", "group", "uid", "gid"]
    static let unsupportedFamilies = ["abns@", "sockpair@", "udp@", "udp4@", "udp6@", "uxdg@", "quic4@", "quic6@"]

    /// - what: how messages name the endpoint ("'stats socket'", "-S").
    public static func parse(_ words: [String], what: String) -> Result<CLIBindSpec, Failure> {
        guard let first = words.first, !first.isEmpty else {
            return .failure(Failure(message: "\(what) expects an address (a UNIX socket path, ipv4@, ipv6@ or fd@)", word: 0))
        }
        let address: Address
        switch parseAddress(first, what: what) {
        case .success(let a): address = a
        case .failure(let f): return .failure(f)
        }
        var spec = CLIBindSpec(address: address)
        var i = 1
        while i < words.count {
            let option = words[i], index = i
            guard options.contains(option) else {
                let known = HAProxyKeywords.bindOptions.contains(option)
                return .failure(Failure(message: known ? "bind option '\(option)' is not supported yet on \(what)"
                                        : "unknown keyword '\(option)' on \(what)"
                                          + Suggestion.didYouMean(option, among: (options + Array(HAProxyKeywords.bindOptions)).sorted()),
                                        word: index))
            }
            // A missing value is read as "" and refused below, at the option.
            let value = i + 1 < words.count ? words[i + 1] : ""
            let valueWord = min(index + 1, words.count - 1)
            i += 2
            switch option {
            case "mode":
                guard let mode = ValueParsers.octalMode(value) else {
                    return .failure(Failure(message: "\(what) : 'mode' expects an octal mode such as 600 (got '\(value)')", word: valueWord))
                }
                spec.mode = mode
            case "level":
                guard let level = StatsSocket.Level(rawValue: value) else {
                    return .failure(Failure(message: "\(what) : 'level' only supports 'user', 'operator', and 'admin' (got '\(value)')"
                                            + (Suggestion.didYouMean(value, among: ["admin", "operator", "user"])),
                                            word: valueWord))
                }
                spec.level = level
            case "expose-fd":
                guard value == "listeners" else {
                    return .failure(Failure(message: "\(what) : 'expose-fd' only supports 'listeners' (got '\(value)')", word: valueWord))
                }
                spec.expose = true
            case "uid", "gid":
                guard UInt32(value) != nil else {
                    return .failure(Failure(message: "\(what) : '\(option)' expects a number (got '\(value)')", word: valueWord))
                }
                if option == "uid" { spec.user = value } else { spec.group = value }
            default: // user, group
                guard !value.isEmpty else {
                    return .failure(Failure(message: "\(what) : '\(option)' expects a name", word: valueWord))
                }
                if option == "user" { spec.user = value } else { spec.group = value }
            }
        }
        return .success(spec)
    }

    private static func parseAddress(_ text: String, what: String) -> Result<Address, Failure> {
        func fail(_ m: String) -> Result<Address, Failure> { .failure(Failure(message: m, word: 0)) }
        if text.hasPrefix("unix@") {
            guard text.count > 5 else { return fail("\(what) expects the path of a UNIX socket") }
            return .success(.unix(String(text.dropFirst(5))))
        }
        if text.hasPrefix("/") { return .success(.unix(text)) }
        if text.hasPrefix("fd@") {
            guard let n = Int32(text.dropFirst(3)), n >= 0 else { return fail("\(what) : 'fd@' expects a descriptor number (got '\(text)')") }
            return .success(.inheritedFD(n))
        }
        if let family = unsupportedFamilies.first(where: { text.hasPrefix($0) }) {
            return fail("\(what) on '\(family)' addresses is not supported yet: use a UNIX socket path, ipv4@, ipv6@ or fd@")
        }
        var rest = Substring(text)
        for prefix in ["ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
        guard let colon = rest.lastIndex(of: ":") else {
            return fail("\(what) expects an absolute path to a UNIX socket or HOST:PORT (got '\(text)')")
        }
        var host = rest[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            return fail("\(what) : invalid port in '\(text)'")
        }
        return .success(.inet(host: host.isEmpty ? "0.0.0.0" : String(host), port: port))
    }
}
