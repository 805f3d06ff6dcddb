/// The value parsers TLS keywords share between bind lines, crt-list lines,
/// server lines and the global `ssl-default-*-options`, each with HAProxy
/// 2.6's error text (observed with `haproxy -c`).
enum TLSOptionParsing {
    /// `ssl-min-ver` / `ssl-max-ver` value.
    static func version(_ keyword: String, _ value: String?) -> Result<TLSVersion, ParseFailure> {
        guard let value, !value.isEmpty else { return .failure(ParseFailure("'\(keyword)' : missing the ssl/tls version")) }
        guard let v = TLSVersion(name: value) else { return .failure(ParseFailure("'\(value)' : unknown ssl/tls version")) }
        return .success(v)
    }

    /// `no-sslv3` ... `no-tlsv13`, `force-sslv3` ... `force-tlsv13`; false if
    /// `keyword` is not one of them.
    static func applyVersionOption(_ keyword: String, to filter: inout TLSVersionFilter) -> Bool {
        for v in TLSVersion.allCases {
            if keyword == "no-" + v.optionSuffix { filter.disabled.insert(v); return true }
            if keyword == "force-" + v.optionSuffix { filter.min = v; filter.max = v; return true }
        }
        return false
    }

    /// `alpn`/`npn`: a comma-separated list (empty names are kept, as HAProxy does).
    static func protocolList(_ keyword: String, _ value: String?, serverSide: Bool = false) -> Result<[String], ParseFailure> {
        let suffix = serverSide ? "." : ""
        guard let value, !value.isEmpty else {
            let what = keyword.hasSuffix("npn") ? "NPN" : "ALPN"
            return .failure(ParseFailure("'\(keyword)' : missing the comma-delimited \(what) protocol suite\(suffix)"))
        }
        let names = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if let long = names.first(where: { $0.utf8.count > 255 }) {
            return .failure(ParseFailure("ALPN protocol name too long : '\(long)'"))
        }
        return .success(names)
    }

    /// A path relative to `base` when it does not start with '/' (how
    /// HAProxy applies `crt-base` and `ca-base`).
    static func based(_ path: String, _ base: String?) -> String {
        guard let base, !path.hasPrefix("/") else { return path }
        return base + "/" + path
    }

    /// Options a crt-list line may carry (also valid on a bind line); returns
    /// HAProxy's message on error, nil when applied.
    static func applyCertificateOption(_ keyword: String, value: String?, to s: inout TLSCertificateSettings,
                                       caBase: String?) -> String? {
        func need(_ what: String) -> String? {
            guard let value, !value.isEmpty else { return "'\(keyword)' : missing \(what)" }
            return nil
        }
        switch keyword {
        case "alpn", "npn":
            switch protocolList(keyword, value) {
            case .failure(let f): return f.message
            case .success(let list): if keyword == "alpn" { s.alpn = list } else { s.npn = list }
            }
        case "ca-file", "ca-verify-file":
            if let e = need("CAfile path") { return e }
            if keyword == "ca-file" { s.caFile = based(value!, caBase) } else { s.caVerifyFile = based(value!, caBase) }
        case "crl-file":
            if let e = need("CRLfile path") { return e }
            s.crlFile = based(value!, caBase)
        case "ciphers", "ciphersuites":
            if let e = need("cipher suite") { return e }
            if keyword == "ciphers" { s.ciphers = value } else { s.ciphersuites = value }
        case "curves":
            if let e = need("curve suite") { return e }
            s.curves = value
        case "ecdhe":
            if let e = need("named curve") { return e }
            s.ecdhe = value
        case "verify":
            if let e = need("verify method") { return e }
            guard let v = TLSClientVerify(rawValue: value!) else {
                return "'verify' : unknown verify method '\(value!)', only 'none', 'optional', and 'required' are supported"
            }
            s.verify = v
        case "ssl-min-ver", "ssl-max-ver":
            switch version(keyword, value) {
            case .failure(let f): return f.message
            case .success(let v): if keyword == "ssl-min-ver" { s.versions.min = v } else { s.versions.max = v }
            }
        case "allow-0rtt": s.allow0RTT = true
        case "no-ca-names": s.noCANames = true
        default: return "'\(keyword)' : option not implemented"
        }
        return nil
    }

    /// `ssl-default-bind-options` / `ssl-default-server-options`: HAProxy's
    /// option words, each checked, with its global-statement messages.
    static func defaultOptions(_ keyword: String, _ values: [String], bindSide: Bool) -> Result<TLSDefaultOptions, ParseFailure> {
        guard !values.isEmpty else {
            return .failure(ParseFailure("global statement '\(keyword)' expects an option as an argument."))
        }
        var options = TLSDefaultOptions()
        var i = 0
        while i < values.count {
            let word = values[i]
            if word == "no-tls-tickets" {
                options.noTLSTickets = true
            } else if bindSide && word == "prefer-client-ciphers" {
                options.preferClientCiphers = true
            } else if word == "ssl-min-ver" || word == "ssl-max-ver" {
                let value = i + 1 < values.count ? values[i + 1] : nil
                switch version(word, value) {
                case .failure(let f): return .failure(ParseFailure("\(f.message) on global statement '\(keyword)'."))
                case .success(let v): if word == "ssl-min-ver" { options.versions.min = v } else { options.versions.max = v }
                }
                i += 1
            } else if !applyVersionOption(word, to: &options.versions) {
                return .failure(ParseFailure("unknown option '\(word)' on global statement '\(keyword)'."))
            }
            i += 1
        }
        return .success(options)
    }

    /// HAProxy's atoi(): leading blanks, a sign, then digits; 0 when none.
    static func atoi(_ text: String) -> Int {
        var s = Substring(text).drop(while: { $0 == " " || $0 == "\t" })
        var negative = false
        if let c = s.first, c == "-" || c == "+" { negative = c == "-"; s = s.dropFirst() }
        var n = 0
        for c in s {
            guard let d = c.wholeNumberValue, c.isASCII else { break }
            n = n &* 10 &+ d
            if n > Int(Int32.max) { n = Int(Int32.max); break }
        }
        return negative ? -n : n
    }
}
