/// `option clitcpka|srvtcpka|tcpka|abortonclose|prefer-last-server|persist|
/// http-ignore-probes|nolinger|contstats|http-no-delay`, `clitcpka-idle|intvl|cnt`,
/// `srvtcpka-idle|intvl|cnt`, `fullconn` and `max-keep-alive-queue`: connection
/// options acted on by the workers
/// (ModelConnection.swift says what each does).
extension ParseSession {
    static let connectionOptions: Set<String> = [
        "clitcpka", "srvtcpka", "tcpka", "abortonclose", "prefer-last-server", "persist", "http-ignore-probes",
        "nolinger", "http-buffer-request", "tcp-smart-accept", "tcp-smart-connect",
        "splice-auto", "splice-request", "splice-response", "contstats", "http-no-delay", "independent-streams",
    ]
    static let connectionKeywords: Set<String> = [
        "clitcpka-idle", "clitcpka-intvl", "clitcpka-cnt", "srvtcpka-idle", "srvtcpka-intvl", "srvtcpka-cnt", "fullconn",
        "max-keep-alive-queue",
    ]

    /// `[no] option NAME` for one of `connectionOptions`; the capability check is done.
    mutating func connectionOption(_ name: String, args: [Word], enable: Bool, display: String, draft index: Int,
                                   at: (Word) -> SourceLocation) {
        if let extra = args.first {
            alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)'")
            return
        }
        var c = drafts[index].settings.connection
        switch name {
        case "clitcpka": c.clientKeepAlive.enabled = enable
        case "srvtcpka": c.serverKeepAlive.enabled = enable
        case "tcpka":
            // HAProxy sets both bits; each side reads its own.
            c.clientKeepAlive.enabled = enable
            c.serverKeepAlive.enabled = enable
        case "abortonclose": c.abortOnClose = enable
        case "prefer-last-server": c.preferLastServer = enable
        case "persist": c.persist = enable
        case "nolinger": c.noLinger = enable
        case "tcp-smart-accept": c.smartAccept = enable
        case "tcp-smart-connect": c.smartConnect = enable
        case "splice-auto": c.spliceAuto = enable
        case "splice-request": c.spliceRequest = enable
        case "splice-response": c.spliceResponse = enable
        case "http-buffer-request": c.bufferRequest = enable
        case "contstats": c.continuousStats = enable
        case "http-no-delay": c.noDelay = enable
        case "independent-streams": c.independentStreams = enable
        default: c.ignoreProbes = enable   // http-ignore-probes
        }
        drafts[index].settings.connection = c
    }

    /// `clitcpka-idle 30s`, `srvtcpka-cnt 5`, `fullconn 1000`; the capability check is done.
    mutating func connectionKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        if keyword == "max-keep-alive-queue" { maxKeepAliveQueue(words, draft: index, at: at); return }
        guard let value = singleArgument(words, at: at, expecting: keyword.hasSuffix("-cnt") || keyword == "fullconn"
                                            ? "an integer value" : "a time value such as 30s") else { return }
        var c = drafts[index].settings.connection
        if keyword == "fullconn" || keyword.hasSuffix("-cnt") {
            switch ValueParsers.integer(value.text, for: keyword) {
            case .failure(let f): alert(at(value), f.message); return
            case .success(let n):
                if keyword == "fullconn" {
                    c.fullconn = n == 0 ? nil : n
                } else if keyword.hasPrefix("cli") {
                    c.clientKeepAlive.count = n
                } else {
                    c.serverKeepAlive.count = n
                }
            }
        } else {
            // A bare number is seconds here (HAProxy parses these with TIME_UNIT_S).
            let text = value.text.allSatisfy(\.isNumber) ? value.text + "s" : value.text
            switch ValueParsers.milliseconds(text, for: keyword) {
            case .failure(let f): alert(at(value), f.message); return
            case .success(let ms):
                let seconds = (ms + 999) / 1000
                switch keyword {
                case "clitcpka-idle": c.clientKeepAlive.idle = seconds
                case "clitcpka-intvl": c.clientKeepAlive.interval = seconds
                case "srvtcpka-idle": c.serverKeepAlive.idle = seconds
                default: c.serverKeepAlive.interval = seconds
                }
            }
        }
        drafts[index].settings.connection = c
    }

    /// `max-keep-alive-queue N`: HAProxy reads it with strtol (base 0), so
    /// -1 (no limit, the default) and any other integer are taken.
    private mutating func maxKeepAliveQueue(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'max-keep-alive-queue' expects expects an integer value (or -1 to disable)")
            return
        }
        if words.count > 2 {
            alert(at(words[2]), "unexpected argument '\(words[2].text)' for 'max-keep-alive-queue'")
            return
        }
        switch ValueParsers.signedInteger(words[1].text, for: "max-keep-alive-queue") {
        case .failure(let f): alert(at(words[1]), f.message)
        case .success(let n): drafts[index].settings.connection.maxKeepAliveQueue = n < 0 ? nil : n
        }
    }

    /// Once a proxy is read: HTTP-only options of a tcp proxy are dropped with
    /// HAProxy's warning, once (a listen section is resolved for each side).
    mutating func resolveConnectionOptions(_ draft: ProxyDraft, backendSide: Bool) -> ProxyConnectionOptions {
        var c = draft.settings.connection
        guard draft.settings.mode == .tcp else { return c }
        if c.preferLastServer && backendSide {
            warning(draft.location, "'option prefer-last-server' ignored for \(draft.haproxyLabel) as it requires HTTP mode.")
            c.preferLastServer = false
        }
        if c.bufferRequest {
            // Said once per proxy (a listen section is resolved for each side, its backend first).
            if backendSide || draft.kind == .frontend {
                warning(draft.location, "'option http-buffer-request' ignored for \(draft.haproxyLabel) as it requires HTTP mode.")
            }
            c.bufferRequest = false
        }
        if c.ignoreProbes && !backendSide {
            warning(draft.location, "'option http-ignore-probes' ignored for \(draft.haproxyLabel) as it requires HTTP mode.")
            c.ignoreProbes = false
        }
        return c
    }

    /// Each backend's `fullconn`: its own, else HAProxy's default, a tenth of
    /// the maxconn of the frontends that may send to it (default_backend or a
    /// constant use_backend naming it; a listen section feeds itself),
    /// rounded up; 0 when none has a limit (then `minconn` never lowers a
    /// server's limit).
    func resolveFullconn(_ configuration: inout Configuration) {
        for bi in configuration.backends.indices {
            let name = configuration.backends[bi].name
            if let own = configuration.backends[bi].connection.fullconn {
                configuration.backends[bi].fullconn = own
                continue
            }
            var total = 0
            for f in configuration.frontends {
                let reaches = f.defaultBackend == name || f.name == name
                    || f.http.useBackends.contains { $0.backend.isConstant && $0.backend.text == name }
                if reaches { total += f.maxconn ?? configuration.global.maxconn ?? 0 }
            }
            configuration.backends[bi].fullconn = (total + 9) / 10
        }
    }
}
