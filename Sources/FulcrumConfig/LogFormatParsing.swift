import FulcrumBytes
import FulcrumLog

/// HAProxy's log-format strings (manual 8.2.6) in the configuration, parsed
/// by FulcrumLog's `LogFormatParser` so every place takes one grammar: as
/// values (header values, redirect targets, dynamic backend names: literal
/// text, `%%`, `%[fetch,converter]` samples and the variables a rule can
/// answer) and as log lines (`log-format`, `error-log-format`,
/// `unique-id-format`: every variable, merged spaces).
enum LogFormatParsing {
    /// Fetch names a sample may use → the name the model carries
    /// (HAProxy's aliases folded: `urlp` is `url_param`).
    static let servedFetches: [String: String] = baseFetches.merging(StickFetchNames.all.map { ($0, $0) }) { a, _ in a }
    private static let baseFetches: [String: String] = [
        "path": "path", "url": "url", "base": "base", "query": "query", "method": "method",
        "req.ver": "req.ver", "src": "src", "src_port": "src_port", "dst": "dst", "dst_port": "dst_port",
        "hdr": "hdr", "req.hdr": "req.hdr", "req.fhdr": "req.fhdr", "hdr_cnt": "hdr_cnt", "req.hdr_cnt": "req.hdr_cnt",
        "url_param": "url_param", "urlp": "url_param", "cook": "cook", "req.cook": "req.cook",
        // Response side: for http-response rules and log lines.
        "res.hdr": "res.hdr", "shdr": "res.hdr", "res.fhdr": "res.fhdr", "res.hdr_cnt": "res.hdr_cnt",
        "res.ver": "res.ver", "status": "status", "res.cook": "res.cook", "scook": "res.cook",
        "pathq": "pathq", "url_ip": "url_ip", "url_port": "url_port", "req.fhdr_cnt": "req.fhdr_cnt",
        "res.fhdr_cnt": "res.fhdr_cnt", "shdr_cnt": "res.hdr_cnt",
        "capture.req.method": "capture.req.method", "capture.req.uri": "capture.req.uri",
        "capture.req.ver": "capture.req.ver", "capture.res.ver": "capture.res.ver",
        "capture.req.hdr": "capture.req.hdr", "capture.res.hdr": "capture.res.hdr",
        // What a mode tcp stream received (tcp-request content set-var).
        "req.len": "req.len", "req_len": "req.len", "req.ssl_sni": "req.ssl_sni", "req_ssl_sni": "req.ssl_sni",
        "req.ssl_alpn": "req.ssl_alpn", "req.ssl_ver": "req.ssl_ver", "req_ssl_ver": "req.ssl_ver",
        "req.ssl_hello_type": "req.ssl_hello_type", "req_ssl_hello_type": "req.ssl_hello_type",
        "req.payload": "req.payload", "req.payload_lv": "req.payload_lv",
        "res.len": "res.len", "res.payload": "res.payload", "res.payload_lv": "res.payload_lv",
        // The request body (option http-buffer-request).
        "req.body": "req.body", "req.body_len": "req.body_len", "req.body_size": "req.body_size",
        "req.body_param": "req.body_param",
        "res.body": "res.body", "res.body_len": "res.body_len", "res.body_size": "res.body_size",
        // Variables and constants (manual 7.3.1).
        "var": "var", "str": "str", "int": "int",
        // The client's TLS handshake.
        "ssl_fc": "ssl_fc", "ssl_fc_has_sni": "ssl_fc_has_sni", "ssl_fc_session_reused": "ssl_fc_session_reused", "ssl_fc_is_resumed": "ssl_fc_is_resumed", "ssl_fc_sni": "ssl_fc_sni", "ssl_fc_protocol": "ssl_fc_protocol", "ssl_fc_cipher": "ssl_fc_cipher", "ssl_fc_alpn": "ssl_fc_alpn", "ssl_fc_use_keysize": "ssl_fc_use_keysize", "ssl_fc_alg_keysize": "ssl_fc_alg_keysize", "ssl_c_used": "ssl_c_used", "ssl_c_verify": "ssl_c_verify", "ssl_c_s_dn": "ssl_c_s_dn", "ssl_c_i_dn": "ssl_c_i_dn",
    ]

    /// The variables a value can show: what a rule knows of the request and
    /// its connection (FulcrumCore's `CompiledLogFormat` writes exactly these).
    /// Timers, counters, names and dates belong to log lines.
    static var valueVariables: [LogVariable] { LogFormat.ruleVariables }

    /// A value: every variable parses (the caller says where it is not
    /// available), samples must use a served fetch and served converters.
    static func parse(_ text: String) -> Result<LogFormat, ParseFailure> {
        let elements: [LogFormatElement]
        switch LogFormatParser.parse(text, options: .value) {
        case .failure(let e): return .failure(ParseFailure(e.message))
        case .success(let parsed): elements = parsed
        }
        var parts: [LogFormat.Part] = []
        var literal: [UInt8] = []
        func flush() { if !literal.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))); literal = [] } }
        for element in elements {
            switch element {
            case .literal(let bytes): literal += bytes
            case .separator: literal.append(0x20)
            case .variable(let v, let flags):
                flush()
                parts.append(.variable(v, flags))
            case .sample(let expression, _):
                switch sample(expression) {
                case .failure(let f): return .failure(f)
                case .success(let fetch):
                    flush()
                    parts.append(.sample(fetch))
                }
            }
        }
        flush()
        return .success(LogFormat(text: text, parts: parts))
    }

    /// A log line's format (`log-format`, `error-log-format`,
    /// `unique-id-format`): spaces merge, text is "-" when absent. Samples are
    /// checked for syntax only; which fetches a log line serves is the
    /// worker's to decide when it compiles `LogLineFormat.samples`.
    static func logLine(_ text: String, options: LogFormatParser.Options = .logLine) -> Result<[LogFormatElement], ParseFailure> {
        switch LogFormatParser.parse(text, options: options) {
        case .failure(let e): return .failure(ParseFailure(e.message))
        case .success(let elements): return .success(elements)
        }
    }

    /// A parsed `%[...]`: a served fetch with served converters.
    static func sample(_ expression: LogSampleExpression) -> Result<SampleFetch, ParseFailure> {
        var converters: [SampleConverter] = []
        for c in expression.converters {
            switch SampleConverterParsing.parse(c) {
            case .failure(let f): return .failure(ParseFailure("failed to parse sample expression <\(expression.text)> : \(f.message)"))
            case .success(let converter): converters.append(converter)
            }
        }
        switch fetch(expression.fetch.name, expression.fetch.arguments, body: expression.text) {
        case .failure(let f): return .failure(f)
        case .success(var fetch):
            fetch.converters = converters
            return .success(fetch)
        }
    }

    /// The fetch of a sample: a served one, with the arguments it needs.
    static func fetch(_ name: String, _ arguments: [String], body: String) -> Result<SampleFetch, ParseFailure> {
        if let refusal = StickFetchNames.refusal(name, arguments: arguments) { return .failure(ParseFailure(refusal)) }
        guard let served = servedFetches[name] else {
            if ACLCriteria.notServed.contains(name) || ACLCriteria.table[name] != nil {
                return .failure(ParseFailure("sample fetch '\(name)' is not supported yet in log-format strings"))
            }
            let known = Array(servedFetches.keys).sorted()
            let hint = Suggestion.didYouMean(name, among: known)
            return .failure(ParseFailure("unknown sample fetch '\(name)' in '%[\(body)]'" + hint))
        }
        if served == "var" {
            guard let first = arguments.first, arguments.count <= 2 else {
                return .failure(ParseFailure("sample fetch 'var' expects a variable name and an optional default (in '%[\(body)]')"))
            }
            if case .failure(let f) = VariableName.parse(first) { return .failure(ParseFailure("failed to parse sample expression <\(body)> : \(f.message)")) }
        }
        if served == "int", arguments.count != 1 || Int64(arguments[0]) == nil {
            return .failure(ParseFailure("sample fetch 'int' expects an integer (in '%[\(body)]')"))
        }
        if served == "str", arguments.count != 1 {
            return .failure(ParseFailure("sample fetch 'str' expects one string (in '%[\(body)]')"))
        }
        let needsName: Set<String> = ["url_param", "cook", "req.cook"]
        let noArgument: Set<String> = ["path", "url", "base", "query", "method", "req.ver", "src", "src_port", "dst", "dst_port",
                                        "res.ver", "status", "pathq", "url_ip", "url_port", "ssl_fc", "ssl_fc_has_sni", "ssl_fc_session_reused", "ssl_fc_is_resumed", "ssl_fc_sni", "ssl_fc_protocol", "ssl_fc_cipher", "ssl_fc_alpn", "ssl_fc_use_keysize", "ssl_fc_alg_keysize", "ssl_c_used", "ssl_c_verify", "ssl_c_s_dn", "ssl_c_i_dn",
                                        "capture.req.method", "capture.req.uri", "capture.req.ver", "capture.res.ver"]
        if needsName.contains(served), arguments.first?.isEmpty ?? true {
            return .failure(ParseFailure("sample fetch '\(name)' expects a name as its argument (in '%[\(body)]')"))
        }
        if noArgument.contains(served), !arguments.isEmpty {
            return .failure(ParseFailure("sample fetch '\(name)' takes no argument (in '%[\(body)]')"))
        }
        return .success(SampleFetch(name: served, arguments: arguments))
    }

    /// The inside of `%[...]` alone (tests, callers holding one expression).
    static func sample(_ body: String) -> Result<SampleFetch, ParseFailure> {
        switch LogFormatParser.sampleExpression(body) {
        case .failure(let e): return .failure(ParseFailure(e.message))
        case .success(let expression): return sample(expression)
        }
    }

    /// `name` or `name(a,b)`: the name and its comma-separated arguments.
    static func fetchCall(_ text: String) -> Result<(String, [String]), ParseFailure> {
        guard let open = text.firstIndex(of: "(") else {
            guard !text.isEmpty, !text.contains(")") else {
                return .failure(ParseFailure("invalid sample fetch '\(text)'"))
            }
            return .success((text, []))
        }
        guard text.hasSuffix(")"), open != text.startIndex else {
            return .failure(ParseFailure("missing ')' in sample fetch '\(text)'"))
        }
        let name = String(text[..<open])
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let arguments = inside.isEmpty ? [] : inside.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return .success((name, arguments))
    }
}

extension ParseSession {
    /// A log-format value (header value, redirect, backend name); reports at
    /// the word and returns nil when invalid, or when it uses a variable a
    /// rule cannot answer (rather than writing it empty at run time).
    mutating func logFormat(_ word: Word, in display: String, at: (Word) -> SourceLocation) -> LogFormat? {
        switch LogFormatParsing.parse(word.text) {
        case .success(let f):
            guard registerMaps(f, word: word, at: at) else { return nil }
            for case .variable(let v, _) in f.parts where !LogFormatParsing.valueVariables.contains(v) {
                let served = LogFormatParsing.valueVariables.map { "%" + $0.name }.joined(separator: " ")
                alert(at(word), "log-format variable '%\(v.name)' is not available in '\(display)' (available there: \(served))")
                return nil
            }
            return f
        case .failure(let f):
            alert(at(word), "'\(display)' : \(f.message)")
            return nil
        }
    }

    /// A log line's format (`log-format`, `error-log-format`; `.uniqueID`
    /// options for `unique-id-format`); reports at the word and returns nil
    /// when invalid.
    mutating func logLineFormat(_ word: Word, in display: String, options: LogFormatParser.Options = .logLine,
                                at: (Word) -> SourceLocation) -> [LogFormatElement]? {
        switch LogFormatParsing.logLine(word.text, options: options) {
        case .success(let elements):
            // A fetch must be one a log line can be given: answered from the
            // record or by the request's fetches.
            for case .sample(let expression, _) in elements {
                let name = expression.fetch.name
                if let refusal = StickFetchNames.refusal(name, arguments: expression.fetch.arguments) {
                    alert(at(word), "'\(display)' : failed to parse sample expression <\(expression.text)> : \(refusal)")
                    return nil
                }
                guard LogFormatParsing.servedFetches[name] != nil || LogRecordSamples.answersFromRecord(name) else {
                    let known = Array(LogFormatParsing.servedFetches.keys) + ["capture.req.hdr", "capture.res.hdr", "fc_err"]
                    let hint = Suggestion.didYouMean(name, among: known.sorted())
                    alert(at(word), "'\(display)' : unknown sample fetch '\(name)' in '%[\(expression.text)]'" + hint)
                    return nil
                }
                // Map converters read pattern files: registered as everywhere else.
                for c in expression.converters where MapConverter.table[c.name] != nil {
                    switch SampleConverterParsing.parse(c) {
                    case .failure(let f):
                        alert(at(word), "failed to parse sample expression <\(expression.text)> : \(f.message)")
                        return nil
                    case .success(let converter):
                        guard registerMaps([converter], location: at(word)) else { return nil }
                    }
                }
            }
            return elements
        case .failure(let f):
            alert(at(word), "failed to parse \(display) : \(f.message)")
            return nil
        }
    }
}
