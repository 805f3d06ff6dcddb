/// `cache NAME` sections (HAProxy 2.6 manual section 6.2.1), read with
/// HAProxy's cfg_parse_cache messages; `http-request cache-use` and
/// `http-response cache-store` name them (checked once every file is read).
extension ParseSession {
    mutating func openCache(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "'cache' expects a <name> argument")
            current = .skipped("cache")
            return
        }
        if words.count > 2 {
            alert(at(words[2]), "'cache' cannot handle unexpected argument '\(words[2].text)'.")
            current = .skipped("cache")
            return
        }
        var name = words[1].text
        if name.utf8.count > 32 {
            name = String(decoding: name.utf8.prefix(32), as: UTF8.self)
            warning(at(words[1]), "cache name is limited to 32 characters, truncate to '\(name)'.")
        }
        if caches.contains(where: { $0.name == name }) {
            alert(loc, "Duplicate cache name '\(name)'.")
            current = .skipped("cache")
            return
        }
        caches.append(CacheSection(name: name, location: loc))
        current = .cache(caches.count - 1)
    }

    mutating func cacheKeyword(_ words: [Word], cache c: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let value = words.count >= 2 ? words[1].text : ""
        let known = ["total-max-size", "max-age", "max-object-size", "process-vary", "max-secondary-entries"]
        guard known.contains(keyword) else {
            alert(loc, "unknown keyword '\(keyword)' in 'cache' section" + hint(keyword, known))
            return
        }
        if words.count > 2 {
            alert(at(words[2]), "'\(keyword)' cannot handle unexpected argument '\(words[2].text)'.")
            return
        }
        switch keyword {
        case "total-max-size":
            guard let mb = UInt64(value) else {
                alert(loc, "total-max-size wrong value '\(value)'")
                return
            }
            guard mb <= 4095 else {
                alert(loc, "\"total-max-size\" (\(value)) must not be greater than 4095")
                return
            }
            caches[c].totalMaxSize = Int(mb)
        case "max-age":
            if value.isEmpty { warning(loc, "'max-age' expects an age parameter in seconds.") }
            caches[c].maxAge = TLSOptionParsing.atoi(value)
        case "max-object-size":
            if value.isEmpty { warning(loc, "'max-object-size' expects a maximum file size parameter in bytes.") }
            guard let n = UInt32(value) else {
                alert(loc, "max-object-size wrong value '\(value)'")
                return
            }
            caches[c].maxObjectSize = Int(n)
        case "process-vary":
            switch value {
            case "on": caches[c].processVary = true
            case "off": caches[c].processVary = false
            default: warning(loc, "'process-vary' expects \"on\" or \"off\" (enable or disable vary processing).")
            }
        default: // max-secondary-entries
            if value.isEmpty { warning(loc, "'max-secondary-entries' expects a strictly positive number.") }
            guard let n = UInt32(value), n > 0 else {
                alert(loc, "max-secondary-entries wrong value '\(value)'")
                return
            }
            caches[c].maxSecondaryEntries = Int(n)
        }
    }

    /// HAProxy's checks once a cache section is read (cfg_post_parse_section_cache).
    mutating func validatedCaches() -> [CacheSection] {
        caches.filter { cache in
            guard cache.totalMaxSize > 0 else {
                alert(cache.location, "Size not specified for cache '\(cache.name)'")
                return false
            }
            let half = cache.blocks * CacheSection.blockSize / 2
            if cache.maxObjectSize > half {
                alert(cache.location, "\"max-object-size\" is limited to an half of \"total-max-size\" => \(half)")
                return false
            }
            return true
        }
    }

    /// `cache-use` / `cache-store` NAME: HAProxy's filter check.
    mutating func checkCacheReferences(_ configuration: Configuration) {
        let names = Set(configuration.caches.map(\.name))
        func check(_ proxy: String, _ kind: String, _ name: String, _ location: SourceLocation) {
            guard !names.contains(name) else { return }
            alert(location, "\(kind) '\(proxy)': unable to find the cache '\(name)' referenced by the filter 'cache'.")
        }
        for f in configuration.frontends where f.mode == .http {
            for r in f.http.requestRules { if case .cacheUse(let n) = r.action { check(f.name, "frontend", n, r.location) } }
            for r in f.http.responseRules { if case .cacheStore(let n) = r.action { check(f.name, "frontend", n, r.location) } }
        }
        for b in configuration.backends where b.mode == .http && !configuration.frontends.contains(where: { $0.name == b.name }) {
            for r in b.http.requestRules { if case .cacheUse(let n) = r.action { check(b.name, "backend", n, r.location) } }
            for r in b.http.responseRules { if case .cacheStore(let n) = r.action { check(b.name, "backend", n, r.location) } }
        }
    }
}

extension ParseSession {
    /// The NAME of `cache-use NAME` / `cache-store NAME` (the condition was split off).
    mutating func cacheName(_ args: [Word], action: Word, display: String, draft index: Int,
                            at: (Word) -> SourceLocation) -> String? {
        guard let first = args.first, !first.text.isEmpty else {
            let proxy = drafts[index].name.map { "\(drafts[index].kind.rawValue) '\($0)'" } ?? drafts[index].kind.rawValue
            alert(at(action), "error detected in \(proxy) while parsing '\(display)' rule : expects a cache name.")
            return nil
        }
        if args.count > 1 {
            alert(at(args[1]), "unexpected argument '\(args[1].text)' for '\(display)' (expected 'if' or 'unless')")
            return nil
        }
        return first.text
    }
}
