/// Checks of `mode http` that need every section read: `use_backend`
/// targets and their modes, userlist references, and HTTP settings of
/// proxies left in mode tcp (HAProxy's warnings, or an alert where Fulcrum
/// would otherwise drop a rule without a word).
extension ParseSession {
    /// A frontend and the backend it switches to must speak the same mode.
    /// HAProxy refuses an http frontend with a tcp backend; a tcp frontend's
    /// stream is upgraded to HTTP for an http backend (StreamHTTPUpgrade).
    mutating func checkModes(frontend draft: ProxyDraft, frontendMode: ProxyMode, backend: Backend, rule: String,
                             at loc: SourceLocation) {
        guard backend.mode != frontendMode, frontendMode == .http else { return }
        alert(loc, "http \(draft.label) cannot use the tcp backend '\(backend.name)' (declared at \(backend.location)) in a '\(rule)' rule (see 'mode')")
    }

    mutating func validateHTTP(_ drafts: [ProxyDraft], _ configuration: inout Configuration) {
        let backends = Dictionary(configuration.backends.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let userlists = Set(configuration.userlists.map(\.name))
        for draft in drafts {
            guard let name = draft.name else { continue }
            let s = draft.settings
            let mode = s.mode
            if draft.kind != .defaults, let page = s.statsPage, !page.requestRules.isEmpty,
               !page.accounts.isEmpty || page.realm != nil {
                alert(draft.location, "proxy '\(name)': stats 'auth'/'realm' and 'http-request' can't be used at the same time.")
            }
            if draft.kind != .defaults, s.statsPage != nil, mode == .tcp {
                warning(draft.location, "'stats' statement ignored for \(draft.haproxyLabel) as it requires HTTP mode.")
                if let i = configuration.frontends.firstIndex(where: { $0.name == name && $0.location == draft.location }) {
                    configuration.frontends[i].statsPage = nil
                }
                if let i = configuration.backends.firstIndex(where: { $0.name == name && $0.location == draft.location }) {
                    configuration.backends[i].statsPage = nil
                }
            }
            for reference in draft.userlistReferences where !userlists.contains(reference.name) {
                alert(reference.location, "unable to find userlist '\(reference.name)' referenced in \(draft.label)"
                      + hint(reference.name, Array(userlists)))
            }
            if draft.hasFrontendCapability {
                for rule in s.http.useBackends where rule.backend.isConstant {
                    let target = rule.backend.text
                    guard let backend = backends[target] else {
                        alert(rule.location, "\(draft.label): unable to find required use_backend: '\(target)'"
                              + hint(target, Array(backends.keys)))
                        continue
                    }
                    checkModes(frontend: draft, frontendMode: mode, backend: backend, rule: "use_backend", at: rule.location)
                }
            }
            guard mode == .tcp else { continue }
            // `tcp-request content switch-mode http`: its HTTP settings apply after the switch.
            if draft.kind == .frontend && s.tcpContent.switchesToHTTP { continue }
            // A tcp proxy: HTTP settings do nothing there (use_backend routes it, see TCPRequestKeywords).
            for keyword in ["http-request", "http-response", "redirect"] {
                if let loc = draft.httpKeywordLocations[keyword] {
                    warning(loc, "'\(keyword)' rules ignored for \(draft.label) as they require HTTP mode.")
                }
            }
            if draft.kind != .backend, s.http.monitorURI != nil {
                warning(draft.httpKeywordLocations["monitor-uri"] ?? draft.location,
                        "monitor-uri will be ignored for \(draft.haproxyLabel) (needs 'mode http').")
            }
            let isBackend = draft.kind == .backend || draft.kind == .listen
            if draft.kind != .backend, s.http.forwardFor != nil {
                warning(draft.location, "'option forwardfor' ignored for \(draft.label) as it requires HTTP mode.")
            }
            if !s.http.compression.algorithms.isEmpty || !s.http.compression.types.isEmpty || s.http.compression.offload {
                warning(draft.location, "'compression' ignored for \(draft.label) as it requires HTTP mode.")
            }
            if !s.http.errorFiles.isEmpty {
                warning(draft.location, "'errorfile' ignored for \(draft.label) as it requires HTTP mode.")
            }
            guard isBackend, let b = configuration.backends.firstIndex(where: { $0.name == name && $0.location == draft.location }) else { continue }
            if s.http.cookie != nil {
                warning(draft.cookieLocation ?? draft.location, "cookie will be ignored for backend '\(name)' (needs 'mode http').")
                configuration.backends[b].http.cookie = nil
            }
            for server in draft.servers where server.params.cookie != nil {
                warning(server.location, "backend '\(name)' : ignoring cookie for server '\(server.name)' as HTTP mode is disabled.")
                configuration.backends[b].servers = configuration.backends[b].servers.map {
                    var s = $0; if s.name == server.name { s.params.cookie = nil }; return s
                }
            }
            switch s.balance {
            case .uri, .urlParam, .header:
                warning(draft.balanceLocation ?? draft.location, "Layer 7 hash not possible for backend '\(name)' (needs 'mode http'). Falling back to round robin.")
                configuration.backends[b].balance = .roundRobin
            default:
                break
            }
        }
    }
}
