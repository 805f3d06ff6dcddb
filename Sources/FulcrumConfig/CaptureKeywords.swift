import FulcrumLog

/// Captures for the log line: `capture cookie|request header|response header`,
/// `declare capture`, the `http-request capture`, `http-response capture` and
/// `set-log-level` actions. Messages are HAProxy 2.6's.
extension ParseSession {
    /// HAProxy's CAPTURE_LEN: a captured cookie keeps at most 63 bytes.
    static let cookieCaptureLimit = 63

    /// C's atol(): optional blanks and sign, then leading digits; 0 when none.
    static func atol(_ text: String) -> Int {
        var s = Substring(text).drop { $0 == " " || $0 == "\t" }
        var sign = 1
        if s.first == "-" { sign = -1; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let digits = s.prefix { $0.isASCII && $0.isNumber }.prefix(18)
        return sign * (Int(digits) ?? 0)
    }

    mutating func captureKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let draft = drafts[index]
        let loc = at(words[0])
        func word(_ k: Int) -> Word? { k < words.count ? words[k] : nil }
        let what = word(1)?.text ?? ""
        let isCookie = what == "cookie"
        let isHeader = (what == "request" || what == "response") && word(2)?.text == "header"
        guard isCookie || isHeader else {
            alert(word(1).map(at) ?? loc, "'capture' expects 'cookie' or 'request header' or 'response header'.")
            return
        }
        if draft.kind == .defaults {
            alert(loc, "'capture \(what)' not allowed in 'defaults' section.")
            return
        }
        if !draft.hasFrontendCapability {
            warning(loc, "'capture' ignored because \(draft.haproxyLabel) has no frontend capability.")
            return
        }
        if isCookie {
            // `capture cookie NAME len N`: HAProxy reads the name and the fourth word only.
            guard let name = word(2), let lengthWord = word(4), !lengthWord.text.isEmpty else {
                alert(loc, "'capture' expects 'cookie' <cookie_name> 'len' <len>.")
                return
            }
            if word(3)?.text != "len" { warning(at(words[3]), "'capture cookie' expects 'len' before the length (HAProxy reads the length anyway)") }
            for extra in words.dropFirst(5) { warning(at(extra), "argument '\(extra.text)' of 'capture cookie' ignored") }
            var length = Self.atol(lengthWord.text)
            if length > Self.cookieCaptureLimit {
                warning(at(lengthWord), "truncating capture length to \(Self.cookieCaptureLimit) bytes for \(draft.haproxyLabel).")
                length = Self.cookieCaptureLimit
            }
            drafts[index].settings.logging.captures.cookie = CookieCapture(location: loc, name: name.text, length: length)
            return
        }
        // `capture request|response header NAME len N`
        guard let name = word(3), !name.text.isEmpty, word(4)?.text == "len", let lengthWord = word(5), !lengthWord.text.isEmpty else {
            alert(loc, "'capture \(what)' expects 'header' <header_name> 'len' <len>.")
            return
        }
        if let extra = word(6) {
            alert(at(extra), "'capture \(what)' cannot handle unexpected argument '\(extra.text)'.")
            return
        }
        let length = Self.atol(lengthWord.text)
        if length <= 0 {
            warning(at(lengthWord), "capture length '\(lengthWord.text)' reads as \(length) (nothing of the header is kept)")
        }
        let slot = CaptureSlot(location: loc, source: .header(name.text), length: max(length, 0))
        if what == "request" {
            drafts[index].settings.logging.captures.request.append(slot)
        } else {
            drafts[index].settings.logging.captures.response.append(slot)
        }
    }

    mutating func declareKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let draft = drafts[index]
        let loc = at(words[0])
        func word(_ k: Int) -> Word? { k < words.count ? words[k] : nil }
        if draft.kind == .defaults {
            alert(loc, "'declare' not available in default section")
            return
        }
        if !draft.hasFrontendCapability {
            alert(loc, "'declare' only available in frontend or listen section")
            return
        }
        guard let kind = word(1), !kind.text.isEmpty else {
            alert(loc, "'declare' needs a second keyword that specify the type of declaration ('capture')")
            return
        }
        guard kind.text == "capture" else {
            alert(at(kind), "unknown declaration type '\(kind.text)' (supports 'capture')")
            return
        }
        guard let direction = word(2), direction.text == "request" || direction.text == "response" else {
            alert(word(2).map(at) ?? loc, "'declare capture' requires a direction ('request' or 'response')")
            return
        }
        guard let lenWord = word(3), lenWord.text == "len" else {
            alert(word(3).map(at) ?? loc, "'declare capture' requires a capture length ('len')")
            return
        }
        guard let value = word(4), !value.text.isEmpty else {
            alert(at(lenWord), "'declare capture': 'len' requires a numeric value that represents the capture length")
            return
        }
        // HAProxy's message names the 'len' word rather than the value.
        guard case .success(let length) = ValueParsers.signedInteger(value.text, for: "declare capture") else {
            alert(at(value), "'declare capture': cannot parse the length 'len'.")
            return
        }
        guard length > 0 else {
            alert(at(value), "length must be > 0")
            return
        }
        for extra in words.dropFirst(5) { warning(at(extra), "argument '\(extra.text)' of 'declare capture' ignored") }
        let slot = CaptureSlot(location: loc, source: .declared, length: length)
        if direction.text == "request" {
            drafts[index].settings.logging.captures.request.append(slot)
        } else {
            drafts[index].settings.logging.captures.response.append(slot)
        }
    }

    // MARK: actions

    /// `http-request capture SAMPLE len N | id N` (args: the words after the
    /// action, condition removed). Returns the action, or nil after an alert.
    mutating func httpRequestCapture(_ args: [Word], action: Word, draft index: Int,
                                     at: (Word) -> SourceLocation) -> HTTPRequestAction? {
        let draft = drafts[index]
        func fail(_ w: Word, _ message: String) -> HTTPRequestAction? {
            alert(at(w), "error detected in \(draft.haproxyLabel) while parsing 'http-request capture' rule : \(message).")
            return nil
        }
        guard args.count >= 2 else {
            return fail(args.first ?? action, "expects <expression> [ 'len' <length> | id <idx> ]")
        }
        guard let sample = captureSample(args[0], display: "http-request capture", at: at) else { return nil }
        let how = args[1]
        switch how.text {
        case "len":
            guard draft.hasFrontendCapability else { return fail(how, "proxy '\(draft.name ?? "")' has no frontend capability") }
            guard args.count >= 3 else { return fail(how, "missing length value") }
            let length = Self.atol(args[2].text)
            guard length > 0 else { return fail(args[2], "length must be > 0") }
            if args.count > 3 { return extraAfterRule(args[3], "http-request capture", at: at) }
            drafts[index].settings.logging.captures.request.append(CaptureSlot(location: at(action), source: .rule, length: length))
            return .capture(sample: sample, slot: drafts[index].settings.logging.captures.request.count - 1)
        case "id":
            guard args.count >= 3 else { return fail(how, "missing id value") }
            guard case .success(let id) = ValueParsers.signedInteger(args[2].text, for: "id") else {
                return fail(args[2], "cannot parse id '\(args[2].text)'")
            }
            if args.count > 3 { return extraAfterRule(args[3], "http-request capture", at: at) }
            drafts[index].captureReferences.append((rule: "http-request", slot: id, location: at(args[2])))
            return .capture(sample: sample, slot: id)
        default:
            return fail(how, "expects 'len' or 'id', found '\(how.text)'")
        }
    }

    /// `http-response capture SAMPLE id N`.
    mutating func httpResponseCapture(_ args: [Word], action: Word, draft index: Int,
                                      at: (Word) -> SourceLocation) -> HTTPResponseAction? {
        let draft = drafts[index]
        func fail(_ w: Word, _ message: String) -> HTTPResponseAction? {
            alert(at(w), "error detected in \(draft.haproxyLabel) while parsing 'http-response capture' rule : \(message).")
            return nil
        }
        guard args.count >= 2 else { return fail(args.first ?? action, "expects 'id'") }
        guard let sample = captureSample(args[0], display: "http-response capture", at: at) else { return nil }
        guard args[1].text == "id" else { return fail(args[1], "expects 'id', found '\(args[1].text)'") }
        guard args.count >= 3 else { return fail(args[1], "missing id value") }
        guard case .success(let id) = ValueParsers.signedInteger(args[2].text, for: "id") else {
            return fail(args[2], "cannot parse id '\(args[2].text)'")
        }
        if args.count > 3 {
            alert(at(args[3]), "'http-response capture' expects either 'if' or 'unless' followed by a condition but found '\(args[3].text)'.")
            return nil
        }
        drafts[index].captureReferences.append((rule: "http-response", slot: id, location: at(args[2])))
        return .capture(sample: sample, slot: id)
    }

    private mutating func extraAfterRule(_ w: Word, _ display: String, at: (Word) -> SourceLocation) -> HTTPRequestAction? {
        alert(at(w), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(w.text)'.")
        return nil
    }

    /// The sample expression of a capture rule, kept as a log-format made of
    /// that one `%[...]` expression (so it shares the log-format's fetches and
    /// converters).
    private mutating func captureSample(_ w: Word, display: String, at: (Word) -> SourceLocation) -> LogFormat? {
        let wrapped = Word(text: "%[" + w.text + "]", column: w.column)
        return logFormat(wrapped, in: display, at: at)
    }

    /// `set-log-level LEVEL|silent`: nil level is `silent` (no line for this stream).
    mutating func setLogLevelArgument(_ args: [Word], action: Word, display: String, draft index: Int,
                                      at: (Word) -> SourceLocation) -> LogLevel?? {
        guard args.count == 1, args[0].text == "silent" || LogLevel(name: args[0].text) != nil else {
            if args.count > 1 {
                alert(at(args[1]), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[1].text)'.")
            } else {
                alert(at(args.first ?? action), "error detected in \(drafts[index].haproxyLabel) while parsing '\(display)' rule : expects exactly 1 argument (log level name or 'silent').")
            }
            return nil
        }
        return .some(LogLevel(name: args[0].text))
    }
}
