import FulcrumLog

/// Logging keywords other than the `log` line itself: the global section's
/// `log-tag`, `log-send-hostname`, `node`, `description`; a proxy's
/// `log-tag`, `log-format`, `log-format-sd`, `error-log-format`,
/// `unique-id-format`, `unique-id-header`, `description`; and the logging
/// options. Messages and warnings are HAProxy 2.6's.
extension ParseSession {
    static let globalLoggingKeywords: Set<String> = ["log", "log-tag", "log-send-hostname", "node", "description"]
    static let proxyLoggingKeywords: Set<String> = [
        "log", "log-tag", "log-format", "log-format-sd", "error-log-format", "unique-id-format",
        "unique-id-header", "description", "capture", "declare",
    ]
    static let loggingOptions: Set<String> = [
        "dontlognull", "dontlog-normal", "log-separate-errors", "log-health-checks", "httplog", "httpslog", "tcplog",
    ]

    // MARK: global

    /// A global logging line; `words` may start with `no` (`no log`).
    mutating func globalLoggingKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        if words[0].text == "no" {
            var targets = global.logTargets
            logLine(Array(words.dropFirst()), negated: true, inGlobal: true, into: &targets, at: at)
            global.logTargets = targets
            return
        }
        let keyword = words[0].text
        let loc = at(words[0])
        switch keyword {
        case "log":
            var targets = global.logTargets
            logLine(words, negated: false, inGlobal: true, into: &targets, at: at)
            global.logTargets = targets
        case "log-tag":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'log-tag' expects a tag for use in syslog.")
                return
            }
            if words.count > 2 {
                alert(at(words[2]), "'log-tag' cannot handle unexpected argument '\(words[2].text)'.")
                return
            }
            global.logTag = words[1].text
        case "log-send-hostname":
            if global.logHostname != nil {
                // HAProxy reports it and keeps the first one; the configuration stays valid.
                warning(loc, "'log-send-hostname' already specified. Continuing.")
                return
            }
            for extra in words.dropFirst(2) { warning(at(extra), "argument '\(extra.text)' of 'log-send-hostname' ignored (HAProxy reads one name)") }
            global.logHostname = words.count >= 2 && !words[1].text.isEmpty ? .name(words[1].text) : .system
        case "node":
            if words.count > 2 {
                alert(at(words[2]), "'node' cannot handle unexpected argument '\(words[2].text)'.")
                return
            }
            let name = words.count >= 2 ? words[1].text : ""
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
                alert(words.count >= 2 ? at(words[1]) : loc, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).")
                return
            }
            global.node = name
        default: // description
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'description' expects a string argument.")
                return
            }
            global.description = words.dropFirst().map(\.text).joined(separator: " ")
        }
    }

    // MARK: proxies

    /// A proxy's logging keyword (capability already checked for `log` and `log-tag`).
    mutating func proxyLoggingKeyword(_ words: [Word], negated: Bool, draft index: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let draft = drafts[index]
        switch keyword {
        case "log":
            var targets = drafts[index].settings.logging.targets
            logLine(words, negated: negated, inGlobal: false, into: &targets, at: at)
            drafts[index].settings.logging.targets = targets
        case "log-tag":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'log-tag' expects a tag for use in syslog.")
                return
            }
            for extra in words.dropFirst(2) { warning(at(extra), "argument '\(extra.text)' of 'log-tag' ignored (HAProxy reads one tag)") }
            drafts[index].settings.logging.tag = words[1].text
        case "description":
            guard draft.kind != .defaults else {
                alert(loc, "'description' not allowed in 'defaults' section.")
                return
            }
            guard words.count >= 2 else {
                alert(loc, "'description' expects a string argument.")
                return
            }
            drafts[index].description = words.dropFirst().map(\.text).joined(separator: " ")
        case "unique-id-header":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "unique-id-header expects an argument.")
                return
            }
            for extra in words.dropFirst(2) { warning(at(extra), "argument '\(extra.text)' of 'unique-id-header' ignored (HAProxy reads one name)") }
            drafts[index].settings.logging.uniqueIDHeader = words[1].text
        case "log-format", "log-format-sd", "error-log-format", "unique-id-format":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "\(keyword) expects an argument.")
                return
            }
            if words.count > 2 {
                alert(at(words[2]), "\(keyword) expects only one argument, don't forget to escape spaces!")
                return
            }
            let options: LogFormatParser.Options = keyword == "unique-id-format" ? .uniqueID : .logLine
            guard let elements = logLineFormat(words[1], in: keyword, options: options, at: at) else { return }
            let format = LogLineFormatString(text: words[1].text, elements: elements)
            if keyword == "unique-id-format" {
                // HAProxy takes it in a backend too, without a word.
                drafts[index].settings.logging.uniqueIDFormat = format
                return
            }
            if draft.kind == .backend {
                warning(loc, "backend '\(draft.name ?? "")' : '\(keyword)' directive is ignored in backends.")
                return
            }
            switch keyword {
            case "log-format": chooseLogFormat(.custom(format), display: "log-format", draft: index, at: loc)
            case "log-format-sd": drafts[index].settings.logging.structuredData = format
            default: drafts[index].settings.logging.errorFormat = format
            }
        case "capture":
            captureKeyword(words, draft: index, at: at)
        default: // declare
            declareKeyword(words, draft: index, at: at)
        }
    }

    /// Records the line format a proxy logs, with HAProxy's warning when a
    /// defaults section replaces the one it already had.
    private mutating func chooseLogFormat(_ format: ProxyLogFormat, display: String, draft index: Int, at loc: SourceLocation) {
        let previous = drafts[index].settings.logging.format
        if drafts[index].kind == .defaults, previous != .legacy {
            warning(loc, "'\(display)' overrides previous '\(previous.keyword)' in 'defaults' section.")
        }
        drafts[index].settings.logging.format = format
        drafts[index].settings.logFormatLocation = loc
    }

    // MARK: options

    /// `[no|default] option NAME [args]` for the logging options.
    mutating func loggingOption(_ words: [Word], prefix: String?, draft index: Int, at: (Word) -> SourceLocation) {
        let nameWord = words[1]
        let name = nameWord.text
        let loc = at(words[0])
        let args = Array(words.dropFirst(2))
        let draft = drafts[index]
        switch name {
        case "httplog", "tcplog", "httpslog":
            if prefix != nil {
                alert(at(nameWord), "negation/default is not supported for option '\(name)'.")
                return
            }
            var format: ProxyLogFormat = name == "tcplog" ? .tcplog : name == "httpslog" ? .httpslog : .httplog
            if name == "httplog", let first = args.first {
                guard first.text == "clf" else {
                    alert(at(first), "keyword 'httplog' only supports option 'clf'.")
                    return
                }
                format = .httplogCLF
                if args.count > 1 {
                    alert(at(args[1]), "'option httplog' cannot handle unexpected argument '\(args[1].text)'.")
                    return
                }
            } else if name == "tcplog", let extra = args.first {
                alert(at(extra), "'option tcplog' cannot handle unexpected argument '\(extra.text)'.")
                return
            } else if let extra = args.first {
                warning(at(extra), "argument '\(extra.text)' of 'option httpslog' ignored (HAProxy takes none)")
            }
            if draft.kind == .backend {
                warning(loc, "backend '\(draft.name ?? "")' : 'option \(name)' directive is ignored in backends.")
                return
            }
            // HAProxy's warning names `option httplog` for httpslog too.
            let display = format == .httplogCLF ? "option httplog clf" : name == "tcplog" ? "option tcplog" : "option httplog"
            chooseLogFormat(format, display: display, draft: index, at: loc)
        default:
            if let extra = args.first {
                alert(at(extra), "'option \(name)' cannot handle unexpected argument '\(extra.text)'.")
                return
            }
            if prefix == "default" {
                // HAProxy 2.6 counts the option's name as an argument here and refuses the line.
                alert(at(nameWord), "'option \(name)' cannot handle unexpected argument '\(name)'.")
                return
            }
            let needsFrontend = name != "log-health-checks"
            if needsFrontend ? !draft.hasFrontendCapability : !draft.hasBackendCapability {
                warning(loc, "'\(name)' ignored because \(draft.haproxyLabel) has no \(needsFrontend ? "frontend" : "backend") capability.")
                return
            }
            let enable = prefix == nil
            switch name {
            case "dontlognull": drafts[index].settings.logging.dontLogNull = enable
            case "dontlog-normal": drafts[index].settings.logging.dontLogNormal = enable
            case "log-separate-errors": drafts[index].settings.logging.separateErrors = enable
            default: drafts[index].settings.logging.healthChecks = enable
            }
        }
    }
}
