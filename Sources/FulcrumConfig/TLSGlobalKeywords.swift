/// The TLS keywords of the `global` section (HAProxy 2.6 manual 3.1/3.2),
/// with HAProxy's messages and its way of reading numbers (atoi).
extension ParseSession {
    static let tlsGlobalKeywords: Set<String> = [
        "ca-base", "crt-base", "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites",
        "ssl-default-bind-curves", "ssl-default-bind-options", "ssl-default-server-ciphers",
        "ssl-default-server-ciphersuites", "ssl-default-server-options", "tune.ssl.default-dh-param",
        "ssl-dh-param-file", "tune.ssl.cachesize", "tune.ssl.lifetime", "tune.ssl.maxrecord",
        "ssl-server-verify", "ssl-load-extra-files",
    ]

    mutating func globalTLSKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        tlsUses.append(TLSKeywordUse(keyword, loc, .global))
        let args = words.dropFirst().map(\.text)
        let first = args.first ?? ""
        // Every keyword but these two takes exactly one argument.
        if keyword != "ssl-default-bind-options", keyword != "ssl-default-server-options",
           keyword != "ssl-load-extra-files", args.count > 1 {
            alert(at(words[2]), "'\(keyword)' cannot handle unexpected argument '\(args[1])'.")
            return
        }
        switch keyword {
        case "ca-base", "crt-base":
            let isCA = keyword == "ca-base"
            if (isCA ? global.tls.caBase : global.tls.crtBase) != nil {
                alert(loc, "'\(keyword)' already specified.")
                return
            }
            guard !first.isEmpty else {
                alert(loc, "global statement '\(keyword)' expects a directory path as an argument.")
                return
            }
            if isCA { global.tls.caBase = first } else { global.tls.crtBase = first }
        case "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-server-ciphers",
             "ssl-default-server-ciphersuites":
            guard !first.isEmpty else {
                alert(loc, "global statement '\(keyword)' expects a cipher suite as an argument.")
                return
            }
            switch keyword {
            case "ssl-default-bind-ciphers": global.tls.defaultBindCiphers = first
            case "ssl-default-bind-ciphersuites": global.tls.defaultBindCiphersuites = first
            case "ssl-default-server-ciphers": global.tls.defaultServerCiphers = first
            default: global.tls.defaultServerCiphersuites = first
            }
        case "ssl-default-bind-curves":
            guard !first.isEmpty else {
                alert(loc, "global statement '\(keyword)' expects a curves suite as an arguments.")
                return
            }
            global.tls.defaultBindCurves = first
        case "ssl-default-bind-options", "ssl-default-server-options":
            let bindSide = keyword == "ssl-default-bind-options"
            switch TLSOptionParsing.defaultOptions(keyword, args, bindSide: bindSide) {
            case .failure(let f): alert(loc, f.message)
            case .success(let options):
                // Each line adds to what earlier lines set, as HAProxy ORs its flags.
                var target = bindSide ? global.tls.defaultBindOptions : global.tls.defaultServerOptions
                target.versions.disabled.formUnion(options.versions.disabled)
                if let v = options.versions.min { target.versions.min = v }
                if let v = options.versions.max { target.versions.max = v }
                if options.noTLSTickets { target.noTLSTickets = true }
                if options.preferClientCiphers { target.preferClientCiphers = true }
                if bindSide { global.tls.defaultBindOptions = target } else { global.tls.defaultServerOptions = target }
            }
        case "tune.ssl.default-dh-param":
            guard !first.isEmpty else { alert(loc, "'\(keyword)' expects an integer argument."); return }
            let n = TLSOptionParsing.atoi(first)
            guard n >= 1024 else { alert(loc, "'\(keyword)' expects a value >= 1024."); return }
            global.tls.defaultDHParam = n
        case "ssl-dh-param-file":
            guard !first.isEmpty else { alert(loc, "'\(keyword)' expects a file path as an argument."); return }
            global.tls.dhParamFile = first
        case "tune.ssl.cachesize", "tune.ssl.maxrecord":
            guard !first.isEmpty else { alert(loc, "'\(keyword)' expects an integer argument."); return }
            let n = TLSOptionParsing.atoi(first)
            guard n >= 0 else { alert(loc, "'\(keyword)' expects a positive numeric value."); return }
            if keyword == "tune.ssl.cachesize" { global.tls.cacheSize = n } else { global.tls.maxRecord = n }
        case "tune.ssl.lifetime":
            guard !first.isEmpty else {
                alert(loc, "'\(keyword)' expects ssl sessions <lifetime> in seconds as argument.")
                return
            }
            switch Self.seconds(first, keyword: keyword) {
            case .failure(let f): alert(at(words[1]), f.message)
            case .success(let s): global.tls.lifetime = s
            }
        case "ssl-server-verify":
            // HAProxy's wording for a missing argument, as it prints it.
            guard !first.isEmpty else { alert(loc, "'\(keyword)' expects an integer argument."); return }
            guard let v = TLSServerVerify(rawValue: first) else {
                alert(loc, "'\(keyword)' expects 'none' or 'required' as argument.")
                return
            }
            global.tls.serverVerify = v
        default: // ssl-load-extra-files
            let usage = "'\(keyword)' expects one or multiple arguments (none, all, bundle, sctl, ocsp, issuer)."
            guard !args.isEmpty else { alert(loc, usage); return }
            var files = Set<TLSExtraFile>()
            for (n, a) in args.enumerated() {
                if a == "none" || a == "all" {
                    guard args.count == 1 else {
                        alert(at(words[n + 1]), "'\(keyword)' 'none' and 'all' can be only used alone")
                        return
                    }
                    files = a == "all" ? Set(TLSExtraFile.allCases) : []
                } else if let f = TLSExtraFile(rawValue: a) {
                    files.insert(f)
                } else {
                    alert(at(words[n + 1]), usage)
                    return
                }
            }
            global.tls.extraFiles = files
        }
    }

    /// A time in seconds as HAProxy's parse_time_err reads it (units us, ms,
    /// s, m, h, d; seconds by default; a fraction of a second rounds up).
    static func seconds(_ text: String, keyword: String) -> Result<Int, ParseFailure> {
        var digits = 0, value = 0
        for c in text.utf8 {
            guard c >= 48, c <= 57 else { break }
            value = value &* 10 &+ Int(c - 48)
            digits += 1
            if value > Int(Int32.max) * 1000 { break }
        }
        let unit = String(text.dropFirst(digits))
        let microseconds: Int
        switch unit {
        case "", "s": microseconds = value * 1_000_000
        case "us": microseconds = value
        case "ms": microseconds = value * 1000
        case "m": microseconds = value * 60_000_000
        case "h": microseconds = value * 3_600_000_000
        case "d": microseconds = value * 86_400_000_000
        default:
            let bad = digits == 0 ? String(text.prefix(1)) : String(unit.prefix(1))
            return .failure(ParseFailure("unexpected character '\(bad)' in argument to <\(keyword)>."))
        }
        let s = (microseconds + 999_999) / 1_000_000
        guard s <= Int(Int32.max) else {
            return .failure(ParseFailure("timer overflow in argument '\(text)' to <\(keyword)> (maximum value is 2147483647 s or ~68 years)."))
        }
        return .success(s)
    }
}
