/// The `global` section: process-wide settings.
extension ParseSession {
    /// Global keywords Fulcrum serves; HAProxy's others are "not supported yet".
    static let servedGlobalKeywords: Set<String> = [
        "daemon", "pidfile", "user", "group", "chroot", "maxconn", "nbthread", "workers", "spread-checks",
        "tune.bufsize", "tune.maxrewrite", "tune.http.maxhdr", "hard-stop-after", "mworker-max-reloads",
        "ulimit-n", "strict-limits", "zero-warning", "uid", "gid", "grace", "tune.maxaccept", "tune.maxpollevents", "maxconnrate", "maxsessrate",
        "tune.listener.multi-queue",
        "tune.rcvbuf.client", "tune.rcvbuf.server", "tune.sndbuf.client", "tune.sndbuf.server",
        "server-state-file", "server-state-base", "expose-experimental-directives", "master-worker",
        "localpeer",
    ]

    mutating func globalKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        if Self.globalLoggingKeywords.contains(keyword) || (keyword == "no" && words.count > 1 && words[1].text == "log") {
            globalLoggingKeyword(words, at: at)
            return
        }
        if keyword == "stats" {
            statsKeyword(words, at: at)
            return
        }
        if keyword == "no", words.count > 1, words[1].text == "strict-limits" {
            for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' for 'no strict-limits'") }
            global.strictLimits = false
            return
        }
        if Self.tlsGlobalKeywords.contains(keyword) {
            globalTLSKeyword(words, at: at)
            return
        }
        if Self.environmentKeywords.contains(keyword) {
            environmentKeyword(words, at: at)
            return
        }
        if keyword == "set-dumpable" || keyword == "quiet" {
            for extra in words.dropFirst() { alert(at(extra), "unexpected argument '\(extra.text)' for '\(keyword)'") }
            if keyword == "quiet" { global.quiet = true } else { global.setDumpable = true }
            return
        }
        if let removed = RemovedKeywords.global[keyword] {
            alert(loc, removed)
            return
        }
        if keyword == "lua-load" || keyword == "lua-load-per-thread" || keyword == "lua-prepend-path" {
            alert(loc, "'\(keyword)': Lua is not embedded in Fulcrum; Lua actions, fetches and services cannot be loaded")
            return
        }
        if keyword == "tune.recv_enough" || keyword == "tune.idle-pool.shared" {
            readTuningKeyword(words, at: at)
            return
        }
        if keyword == "external-check" || keyword == "insecure-fork-wanted" {
            externalCheckGlobalKeyword(words, at: at)
            return
        }
        if keyword == "default-path" {
            defaultPathKeyword(words, at: at)
            return
        }
        guard Self.servedGlobalKeywords.contains(keyword) else {
            if HAProxyKeywords.global.contains(keyword) {
                alert(loc, "keyword '\(keyword)' is not supported yet (in section 'global')")
            } else {
                let candidates = Array(HAProxyKeywords.global.union(Self.servedGlobalKeywords))
                alert(loc, "unknown keyword '\(keyword)' in 'global' section" + hint(keyword, candidates))
            }
            return
        }
        if let previous = globalLocations[keyword], keyword != "daemon" {
            warning(loc, "'\(keyword)' already specified at \(previous); the last value is used")
        }
        globalLocations[keyword] = loc
        if keyword == "master-worker" {
            // Fulcrum always runs a master (as -W); a worker that fails is
            // respawned and the others go on, which `no-exit-on-failure`
            // asks of haproxy's master too (docs/differences.md).
            if words.count > 1 && words[1].text != "no-exit-on-failure" {
                alert(at(words[1]), "'master-worker' only supports 'no-exit-on-failure' option.")
            }
            for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' for 'master-worker'") }
            return
        }
        if keyword == "daemon" || keyword == "strict-limits" || keyword == "zero-warning" || keyword == "expose-experimental-directives" {
            for extra in words.dropFirst() { alert(at(extra), "unexpected argument '\(extra.text)' for '\(keyword)'") }
            switch keyword {
            case "daemon": global.daemon = true
            case "strict-limits": global.strictLimits = true
            case "expose-experimental-directives": global.exposeExperimentalDirectives = true
            default: global.zeroWarning = true
            }
            return
        }
        guard words.count >= 2 else {
            alert(loc, "'\(keyword)' expects an argument")
            return
        }
        for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' for '\(keyword)'") }
        let value = words[1]
        switch keyword {
        case "localpeer": global.localPeer = value.text
        case "server-state-file": global.serverStateFile = value.text
        case "server-state-base": global.serverStateBase = value.text
        case "pidfile", "user", "group", "chroot":
            guard !value.text.isEmpty else {
                alert(at(value), "'\(keyword)' expects a non-empty argument")
                return
            }
            switch keyword {
            case "pidfile": global.pidfile = value.text
            case "user": global.user = value.text
            case "group": global.group = value.text
            default: global.chroot = value.text
            }
        case "hard-stop-after", "grace":
            switch ValueParsers.milliseconds(value.text, for: keyword) {
            case .failure(let f): alert(at(value), f.message)
            case .success(let ms) where keyword == "grace": global.grace = ms > 0 ? ms : nil
            case .success(let ms): global.hardStopAfter = ms > 0 ? ms : nil
            }
        case "mworker-max-reloads":
            switch ValueParsers.integer(value.text, for: keyword) {
            case .failure(let f): alert(at(value), f.message)
            case .success(let n): global.maxReloads = n
            }
        case "uid", "gid":
            // A number where `user` / `group` take a name: the same setting (the last one written wins).
            guard let n = UInt32(value.text) else {
                alert(at(value), "'\(keyword)' expects an integer argument.")
                return
            }
            if keyword == "uid" { global.user = String(n) } else { global.group = String(n) }
        case "maxconnrate", "maxsessrate":
            guard let n = UInt32(value.text) else {
                alert(at(value), "'\(keyword)' expects an integer argument.")
                return
            }
            if keyword == "maxconnrate" { global.maxConnectionRate = n > 0 ? Int(n) : nil } else { global.maxSessionRate = n > 0 ? Int(n) : nil }
        case "tune.maxaccept", "tune.maxpollevents":
            // -1 lifts the accept limit, as in HAProxy; poll events must be positive.
            let lowest = keyword == "tune.maxaccept" ? -1 : 1
            guard case .success(let n) = ValueParsers.signedInteger(value.text, for: keyword), n >= lowest, n != 0 else {
                alert(at(value), "'\(keyword)' expects " + (lowest < 0 ? "-1 or a positive integer." : "a positive integer."))
                return
            }
            if keyword == "tune.maxaccept" { global.maxAccept = n } else { global.maxPollEvents = n }
        case "tune.listener.multi-queue":
            switch value.text {
            case "on": global.listenerMultiQueue = true
            case "off": global.listenerMultiQueue = false
            default: alert(at(value), "'tune.listener.multi-queue' expects 'on' or 'off'.")
            }
        case "tune.rcvbuf.client", "tune.rcvbuf.server", "tune.sndbuf.client", "tune.sndbuf.server":
            guard case .success(let n) = ValueParsers.integer(value.text, for: keyword), n > 0, n <= Int(Int32.max) else {
                alert(at(value), "'\(keyword)' expects an integer argument.")
                return
            }
            switch keyword {
            case "tune.rcvbuf.client": global.clientReceiveBuffer = n
            case "tune.rcvbuf.server": global.serverReceiveBuffer = n
            case "tune.sndbuf.client": global.clientSendBuffer = n
            default: global.serverSendBuffer = n
            }
        case "ulimit-n":
            guard case .success(let n) = ValueParsers.integer(value.text, for: keyword), n > 0 else {
                alert(at(value), "'ulimit-n' expects an integer argument.")
                return
            }
            global.ulimitN = n
        case "maxconn", "nbthread", "workers", "spread-checks":
            switch ValueParsers.integer(value.text, for: keyword) {
            case .failure(let f): alert(at(value), f.message)
            case .success(let n):
                let range: ClosedRange<Int>
                switch keyword {
                case "maxconn": range = 1...Int(Int32.max)
                case "spread-checks": range = 0...50  // percent, as HAProxy bounds it
                default: range = 1...4096
                }
                guard range.contains(n) else {
                    alert(at(value), "'\(keyword)' must be between \(range.lowerBound) and \(range.upperBound) (got \(n))")
                    return
                }
                switch keyword {
                case "maxconn": global.maxconn = n
                case "nbthread": global.nbthread = n
                case "spread-checks": global.spreadChecks = n
                default: global.workers = n
                }
            }
        case "tune.bufsize", "tune.maxrewrite", "tune.http.maxhdr":
            let limits: ClosedRange<Int>
            switch keyword {
            // HAProxy refuses 256 MB and more when HTTP is used; below 1 kB
            // its own error pages no longer fit.
            case "tune.bufsize": limits = 1024...(256 * 1024 * 1024 - 1)
            case "tune.maxrewrite": limits = 0...(256 * 1024 * 1024 - 1)
            default: limits = 1...32767
            }
            guard case .success(let n) = ValueParsers.integer(value.text, for: keyword), limits.contains(n) else {
                alert(at(value), "'\(keyword)' expects a numeric value between \(limits.lowerBound) and \(limits.upperBound) (got '\(value.text)')")
                return
            }
            switch keyword {
            case "tune.bufsize": global.bufferSize = n
            case "tune.maxrewrite": global.maxRewrite = n
            default: global.maxHeaders = n
            }
        default:
            break
        }
    }

    /// HAProxy keeps half of each buffer for data: a larger `tune.maxrewrite`
    /// is reduced to half of `tune.bufsize`.
    mutating func clampMaxRewrite() {
        let half = global.bufferSize / 2
        guard global.maxRewrite > half else { return }
        if let loc = globalLocations["tune.maxrewrite"] {
            warning(loc, "'tune.maxrewrite' \(global.maxRewrite) is reduced to \(half), half of 'tune.bufsize' (\(global.bufferSize)), as HAProxy does")
        }
        global.maxRewrite = half
    }

    func hint(_ word: String, _ candidates: [String]) -> String {
        // Sorted for a stable choice: only the candidates `closest` could
        // pick (a length within 2, or beginning with the word) are sorted.
        let lower = word.lowercased(), length = lower.utf8.count
        let possible = candidates.filter { abs($0.utf8.count - length) <= 2 || $0.lowercased().hasPrefix(lower) }
        return Suggestion.didYouMean(word, among: possible.sorted())
    }
}
