import FulcrumBytes

/// Proxy settings of `mode http` that are not rules: `cookie`, `compression`,
/// `errorfile`, `http-error`, `http-reuse`, `retry-on`, the connection-mode
/// and forwarding options, and the HTTP balance algorithms.
extension ParseSession {
    static let retryOnKeywords: Set<String> = [
        "none", "conn-failure", "empty-response", "junk-response", "response-timeout", "0rtt-rejected",
        "401", "403", "404", "408", "425", "500", "501", "502", "503", "504", "all-retryable-errors",
    ]

    // MARK: cookie

    /// `cookie NAME insert|rewrite|prefix [options]`.
    mutating func cookieKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(at(words[0]), "'cookie' expects <cookie_name> as argument")
            return
        }
        var mode: CookieConfig.Mode? = nil
        var options: [(Word, String)] = []
        var i = 2
        var domains: [String] = []
        var maxidle: Int? = nil, maxlife: Int? = nil
        var dynamic = false
        while i < words.count {
            let w = words[i]
            i += 1
            switch w.text {
            case "insert", "rewrite", "prefix":
                let m = CookieConfig.Mode(rawValue: w.text)!
                if let mode, mode != m {
                    alert(at(w), "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.")
                    return
                }
                mode = m
            case "indirect", "nocache", "postonly", "preserve", "httponly", "secure":
                options.append((w, w.text))
            case "domain", "maxidle", "maxlife":
                guard i < words.count, !words[i].text.isEmpty else {
                    alert(at(w), "'cookie' : '\(w.text)' expects an argument")
                    return
                }
                let v = words[i]
                i += 1
                if w.text == "domain" {
                    domains.append(v.text)
                } else {
                    switch ValueParsers.milliseconds(v.text, for: "cookie \(w.text)") {
                    case .failure(let f): alert(at(v), f.message); return
                    case .success(let ms):
                        // HAProxy keeps these in seconds.
                        let seconds = (ms + 999) / 1000
                        if w.text == "maxidle" { maxidle = seconds } else { maxlife = seconds }
                    }
                }
            case "dynamic":
                dynamic = true
            case "attr":
                alert(at(w), "'\(w.text)' of 'cookie' is not supported yet (in section '\(kindName)')")
                return
            default:
                let known = ["insert", "rewrite", "prefix", "indirect", "nocache", "postonly", "preserve", "httponly",
                             "secure", "domain", "maxidle", "maxlife", "dynamic", "attr"]
                alert(at(w), "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'domain', 'maxidle', 'maxlife', 'dynamic' and 'attr' options, but got '\(w.text)'" + hint(w.text, known))
                return
            }
        }
        guard let mode else {
            alert(at(words[1]), "'cookie \(words[1].text)' without 'insert', 'rewrite' or 'prefix' (a cookie only read for persistence) is not supported yet (in section '\(kindName)')")
            return
        }
        var cookie = CookieConfig(name: words[1].text, mode: mode)
        for (w, option) in options {
            switch option {
            case "indirect":
                if mode == .rewrite { alert(at(w), "cookie 'rewrite' and 'indirect' modes are incompatible."); return }
                cookie.indirect = true
            case "nocache": cookie.nocache = true
            case "postonly": cookie.postonly = true
            case "preserve": cookie.preserve = true
            case "httponly": cookie.httponly = true
            default: cookie.secure = true
            }
        }
        if (maxidle != nil || maxlife != nil), mode != .insert {
            alert(at(words[1]), "cookie 'maxidle' and 'maxlife' need the 'insert' mode")
            return
        }
        cookie.domains = domains
        cookie.maxidle = maxidle
        cookie.maxlife = maxlife
        cookie.dynamic = dynamic
        drafts[index].settings.http.cookie = cookie
        drafts[index].cookieLocation = at(words[0])
    }

    // MARK: compression

    mutating func compressionKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'compression' expects 'algo', 'type' or 'offload'")
            return
        }
        let what = words[1]
        let values = words.dropFirst(2)
        switch what.text {
        case "algo", "type":
            guard !values.isEmpty else {
                alert(at(what), "'compression \(what.text)' expects \(what.text == "algo" ? "<algorithm>" : "<type>")")
                return
            }
            if what.text == "algo" {
                var algorithms: [CompressionConfig.Algorithm] = []
                for v in values {
                    guard let a = CompressionConfig.Algorithm(rawValue: v.text) else {
                        alert(at(v), "'compression' : '\(v.text)' is not a supported algorithm; expected 'gzip', 'deflate', 'raw-deflate' or 'identity'"
                              + hint(v.text, ["gzip", "deflate", "raw-deflate", "identity"]))
                        return
                    }
                    algorithms.append(a)
                }
                drafts[index].settings.http.compression.algorithms = algorithms
            } else {
                drafts[index].settings.http.compression.types = values.map {
                    String($0.text.split(separator: ";").first ?? "").trimmingBlanks().lowercased()
                }
            }
        case "offload":
            if let extra = values.first {
                alert(at(extra), "unexpected argument '\(extra.text)' for 'compression offload'")
                return
            }
            drafts[index].settings.http.compression.offload = true
        case "algo-req", "algo-res", "type-req", "type-res", "direction", "minsize-req", "minsize-res":
            alert(at(what), "'compression \(what.text)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
        default:
            alert(at(what), "'compression' expects 'algo', 'type' or 'offload' but got '\(what.text)'"
                  + hint(what.text, ["algo", "type", "offload"]))
        }
    }

    // MARK: errorfile / http-error

    mutating func errorfileKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count == 3, !words[2].text.isEmpty else {
            alert(words.count > 3 ? at(words[3]) : at(words[0]),
                  words.count > 3 ? "unexpected argument '\(words[3].text)' for 'errorfile'" : "'errorfile' expects <status_code> and <file> as arguments")
            return
        }
        guard let status = Int(words[1].text), Self.errorStatuses.contains(status) else {
            alert(at(words[1]), "errorfile : status code '\(words[1].text)' not handled; expected one of "
                  + Self.errorStatuses.sorted().map(String.init).joined(separator: ", "))
            return
        }
        drafts[index].settings.http.errorFiles[status] = words[2].text
        drafts[index].settings.http.errorResponses[status] = nil
        drafts[index].settings.http.errorRedirects[status] = nil
    }

    /// `http-error status N [content-type T] [string S | file F]`; an inline
    /// string is kept in `errorResponses`.
    mutating func httpErrorKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 3, words[1].text == "status" else {
            alert(at(words.count > 1 ? words[1] : words[0]), "'http-error' expects 'status <code>' first")
            return
        }
        guard let status = Int(words[2].text), Self.errorStatuses.contains(status) else {
            alert(at(words[2]), "http-error: status code '\(words[2].text)' not handled; expected one of "
                  + Self.errorStatuses.sorted().map(String.init).joined(separator: ", "))
            return
        }
        var contentType: String? = nil
        var body: ResponseBody = .none
        var bodyWord: Word? = nil
        var i = 3
        while i < words.count {
            let w = words[i]
            i += 1
            switch w.text {
            case "content-type", "string", "file":
                guard i < words.count else {
                    alert(at(w), "'http-error' : '\(w.text)' expects an argument")
                    return
                }
                let v = words[i]
                i += 1
                if w.text == "content-type" { contentType = v.text; continue }
                if bodyWord != nil {
                    alert(at(w), "'http-error' : only one of 'string' and 'file' may be given")
                    return
                }
                bodyWord = w
                body = w.text == "file" ? .file(path: v.text) : .string(LogFormat(text: v.text, parts: v.text.isEmpty ? [] : [.literal(v.text)]))
            case "lf-string", "lf-file", "errorfile", "errorfiles", "default-errorfiles", "hdr":
                alert(at(w), "'\(w.text)' of 'http-error' is not supported yet (in section '\(kindName)')")
                return
            default:
                alert(at(w), "'http-error' : unexpected argument '\(w.text)'" + hint(w.text, ["content-type", "string", "file"]))
                return
            }
        }
        if let bodyWord, contentType == nil {
            alert(at(bodyWord), "'http-error' : a content type must be defined when a payload is configured")
            return
        }
        drafts[index].settings.http.errorFiles[status] = nil
        drafts[index].settings.http.errorRedirects[status] = nil
        drafts[index].settings.http.errorResponses[status] = HTTPErrorResponse(status: status, contentType: contentType, body: body)
    }

    // MARK: http-reuse / retry-on

    mutating func httpReuseKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard let value = singleArgument(words, at: at, expecting: "'never', 'safe', 'aggressive' or 'always'") else { return }
        guard let reuse = HTTPReuse(rawValue: value.text) else {
            alert(at(value), "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'"
                  + hint(value.text, ["never", "safe", "aggressive", "always"]))
            return
        }
        drafts[index].settings.http.reuse = reuse
    }

    mutating func retryOnKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'retry-on' expects at least one keyword such as 'conn-failure' or '503'")
            return
        }
        var result: [String] = []
        for w in words.dropFirst() {
            guard Self.retryOnKeywords.contains(w.text) else {
                alert(at(w), "'retry-on': unknown keyword '\(w.text)'" + hint(w.text, Array(Self.retryOnKeywords)))
                return
            }
            if w.text == "none" {
                guard words.count == 2 else {
                    alert(at(w), "'retry-on' 'none' keyword only usable alone")
                    return
                }
                continue
            }
            // The model spells HAProxy's "conn-failure" as "connect-failure";
            // all-retryable-errors is expanded to what HAProxy means by it.
            let expanded = w.text == "all-retryable-errors"
                ? ["connect-failure", "empty-response", "junk-response", "response-timeout", "0rtt-rejected", "500", "502", "503", "504"]
                : [w.text == "conn-failure" ? "connect-failure" : w.text]
            for k in expanded where !result.contains(k) { result.append(k) }
        }
        drafts[index].settings.http.retryOn = result
    }

    // MARK: options

    /// `option http-server-close | httpclose | http-keep-alive | forwardfor |
    /// accept-invalid-http-request`; the caller has checked the name.
    mutating func httpOption(_ name: String, args: [Word], enable: Bool, prefix: String?, draft index: Int,
                             at: (Word) -> SourceLocation) {
        let display = (prefix.map { $0 + " " } ?? "") + "option " + name
        if (name != "forwardfor" && name != "originalto") || !enable, let extra = args.first {
            alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)'")
            return
        }
        var http = drafts[index].settings.http
        switch name {
        case "http-server-close", "httpclose", "http-keep-alive":
            let mode = HTTPConnectionMode(rawValue: name)!
            if enable {
                http.connectionMode = mode
            } else if http.connectionMode == mode {
                // "no option X" falls back to HAProxy's default, keep-alive.
                http.connectionMode = .keepAlive
            }
        case "accept-invalid-http-request":
            http.acceptInvalidRequest = enable
        default: // forwardfor, originalto
            let original = name == "originalto"
            guard enable else {
                if original { http.originalTo = nil } else { http.forwardFor = nil }
                drafts[index].settings.http = http
                return
            }
            var ff = ForwardFor()
            if original { ff.header = "X-Original-To" }
            var i = 0
            while i < args.count {
                let w = args[i]
                i += 1
                switch w.text {
                case "if-none" where !original: ff.ifNone = true
                case "except", "header":
                    guard i < args.count, !args[i].text.isEmpty else {
                        alert(at(w), "'option \(name)' : '\(w.text)' expects \(w.text == "except" ? "<network>" : "<header name>") as argument")
                        return
                    }
                    let v = args[i]
                    i += 1
                    if w.text == "except" {
                        guard let network = IPNetwork(v.text) else {
                            alert(at(v), "'option \(name)' : 'except' expects an IP network such as 10.0.0.0/8 (got '\(v.text)')")
                            return
                        }
                        ff.except = network
                    } else {
                        ff.header = v.text
                    }
                default:
                    let expected = original ? ["except", "header"] : ["except", "header", "if-none"]
                    alert(at(w), "'option \(name)' : unexpected argument '\(w.text)'; expected " + (original ? "'except' or 'header'" : "'except', 'header' or 'if-none'")
                          + hint(w.text, expected))
                    return
                }
            }
            if original { http.originalTo = ff } else { http.forwardFor = ff }
        }
        drafts[index].settings.http = http
    }

    // MARK: balance uri / url_param / hdr

    /// The HTTP hash algorithms; `argument` is the text in parentheses.
    mutating func httpBalance(_ name: String, argument: String?, _ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        let args = Array(words.dropFirst(2))
        switch name {
        case "uri":
            if argument != nil { alert(at(words[1]), "balance algorithm 'uri' takes no argument"); return }
            var whole = false, length = 0, depth = 0
            var i = 0
            while i < args.count {
                let w = args[i]
                i += 1
                switch w.text {
                case "whole": whole = true
                case "len", "depth":
                    guard i < args.count, case .success(let n) = ValueParsers.integer(args[i].text, for: ""), n > 0 else {
                        alert(at(i < args.count ? args[i] : w), "balance uri : '\(w.text)' expects a positive integer (got '\(i < args.count ? args[i].text : "")').")
                        return
                    }
                    i += 1
                    if w.text == "len" { length = n } else { depth = n }
                case "path-only":
                    alert(at(w), "'path-only' of 'balance uri' is not supported yet (in section '\(kindName)')")
                    return
                default:
                    alert(at(w), "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '\(w.text)').")
                    return
                }
            }
            drafts[index].settings.balance = .uri(whole: whole, length: length, depth: depth)
        case "url_param":
            guard argument == nil, let param = args.first, !param.text.isEmpty else {
                alert(at(words[1]), "balance url_param requires an URL parameter name.")
                return
            }
            if args.count > 1 {
                if args[1].text == "check_post" {
                    alert(at(args[1]), "'check_post' of 'balance url_param' is not supported yet (in section '\(kindName)')")
                } else {
                    alert(at(args[1]), "unexpected argument '\(args[1].text)' for 'balance url_param'")
                }
                return
            }
            drafts[index].settings.balance = .urlParam(param.text)
        default: // hdr
            guard let argument, !argument.isEmpty else {
                alert(at(words[1]), "balance 'hdr' expects a header name, as in 'hdr(host)'")
                return
            }
            if let extra = args.first {
                if extra.text == "use_domain_only" {
                    alert(at(extra), "'use_domain_only' of 'balance hdr' is not supported yet (in section '\(kindName)')")
                } else {
                    alert(at(extra), "unexpected argument '\(extra.text)' for 'balance hdr'")
                }
                return
            }
            drafts[index].settings.balance = .header(argument)
        }
        drafts[index].balanceLocation = at(words[1])
    }
}

