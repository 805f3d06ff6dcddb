/// Logging checks that need every section read, as HAProxy 2.6 makes them
/// after parsing: `ring@` targets name a ring, `option httplog`/`httpslog`
/// fall back to tcplog outside mode http, a log format with no target, and
/// capture ids within the frontend's slots.
extension ParseSession {
    mutating func validateLogging(_ drafts: [ProxyDraft], _ configuration: inout Configuration) {
        let ringNames = Set(configuration.rings.map(\.name))
        var reported: Set<SourceLocation> = []
        for target in global.logTargets {
            if case .ring(let name) = target.address, !ringNames.contains(name) {
                alert(target.location, "global log server uses unknown ring named '\(name)'." + hint(name, Array(ringNames)))
            }
        }
        for draft in drafts {
            guard let name = draft.name else { continue }
            let logging = draft.settings.logging
            for target in logging.targets where !target.viaLogGlobal {
                guard case .ring(let ring) = target.address, !ringNames.contains(ring), !reported.contains(target.location) else { continue }
                reported.insert(target.location)
                alert(target.location, "log server declared in proxy section '\(name)' uses unknown ring named '\(ring)'." + hint(ring, Array(ringNames)))
            }
            guard draft.hasFrontendCapability else { continue }
            let frontend = configuration.frontends.firstIndex { $0.name == name && $0.location == draft.location }
            if draft.settings.mode != .http {
                let option: String?
                switch logging.format {
                case .httplog, .httplogCLF: option = "option httplog"
                case .httpslog: option = "option httpslog"
                default: option = nil
                }
                if let option {
                    warning(draft.settings.logFormatLocation ?? draft.location,
                            "'\(option)' not usable with \(draft.haproxyLabel) (needs 'mode http'). Falling back to 'option tcplog'.")
                    if let frontend { configuration.frontends[frontend].logging.format = .tcplog }
                }
            }
            if logging.targets.isEmpty, logging.format != .legacy || logging.structuredData != nil {
                warning(draft.location, "log format ignored for \(draft.haproxyLabel) since it has no log address.")
            }
            for reference in draft.captureReferences {
                let slots = reference.rule == "http-request" ? logging.captures.request.count : logging.captures.response.count
                if reference.slot < 0 {
                    // HAProxy 2.6 lets a negative id through (and indexes before its slots at run time).
                    alert(reference.location, "Proxy '\(name)': capture id '\(reference.slot)' referenced by \(reference.rule) capture rule is negative.")
                } else if reference.slot >= slots {
                    alert(reference.location, "Proxy '\(name)': unable to find capture id '\(reference.slot)' referenced by \(reference.rule) capture rule.")
                }
            }
        }
    }
}
