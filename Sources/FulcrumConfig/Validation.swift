/// Turns the parsed sections into the typed model and checks what can only
/// be checked once everything is read: references, duplicates, modes,
/// missing binds and timeouts. Every problem is reported, not only the first.
extension ParseSession {
    mutating func buildAndValidate(into configuration: inout Configuration) {
        var frontendSeen: [String: SourceLocation] = [:]
        var backendSeen: [String: SourceLocation] = [:]
        // (draft, index of its frontend in configuration.frontends)
        var proxies: [(draft: ProxyDraft, frontend: Int?)] = []
        let proxyNumbers = numberProxies()

        for draft in drafts where draft.kind != .defaults {
            guard let name = draft.name else { continue }
            var s = draft.settings
            resolveErrorFiles(&s.http, proxy: "proxy '\(name)'")
            let number = proxyNumbers[name + "\u{0}" + draft.location.description] ?? 0
            if let table = draft.stickTable { configuration.stickTables.append(table) }
            if draft.kind == .backend || draft.kind == .listen {
                if let first = backendSeen[name] {
                    alert(draft.location, "\(draft.label) has the same name as the backend declared at \(first)")
                } else {
                    backendSeen[name] = draft.location
                }
                var backend = Backend(name: name, location: draft.location)
                backend.id = number
                backend.mode = s.mode
                backend.balance = s.balance
                backend.hashType = s.hashType
                backend.timeouts = s.timeouts
                backend.retries = s.retries
                backend.redispatch = s.redispatch
                backend.allBackups = s.allBackups
                backend.transparent = s.transparent
                backend.serverStateLoad = s.serverStateLoad
                backend.serverStateFileName = (s.serverStateFileName ?? nil) ?? name
                backend.healthCheck = s.healthCheck.resolved
                backend.http = s.http
                backend.tcpContent = s.tcpContent
                backend.tcpResponse = s.tcpResponse
                backend.stickRules = s.stickRules
                backend.logging = s.logging
                backend.logging.captures = LogCaptures()
                backend.description = draft.description
                backend.statsPage = s.statsPage
                backend.source = s.source
                backend.connection = resolveConnectionOptions(draft, backendSide: true)
                checkUnusedCheckRules(draft)
                validateExternalCheck(backend.healthCheck, draft: draft)
                backend.emailAlert = resolvedEmailAlert(draft)
                var serverSeen: [String: SourceLocation] = [:]
                for server in draft.servers {
                    if let first = serverSeen[server.name] {
                        alert(server.location, "\(draft.label) has two servers named '\(server.name)' (the first one at \(first))")
                    } else {
                        serverSeen[server.name] = server.location
                    }
                }
                backend.servers = numberServers(draft)
                backend.serverRules = s.serverRules
                validateServerRules(backend, label: draft.label)
                configuration.backends.append(backend)
            }
            // A listen section without bind acts as a backend only (as in HAProxy).
            if draft.kind == .frontend || (draft.kind == .listen && !draft.binds.isEmpty) {
                if let first = frontendSeen[name] {
                    alert(draft.location, "\(draft.label) has the same name as the frontend declared at \(first)")
                } else {
                    frontendSeen[name] = draft.location
                }
                var frontend = Frontend(name: name, location: draft.location)
                frontend.id = number
                frontend.mode = s.mode
                frontend.binds = draft.binds
                frontend.maxconn = s.maxconn
                frontend.rateLimitSessions = s.rateLimitSessions
                frontend.socketStats = s.socketStats
                frontend.timeouts = s.timeouts
                frontend.defaultBackend = s.defaultBackend
                frontend.http = s.http
                frontend.tcpContent = s.tcpContent
                frontend.tcpConnection = s.tcpConnection
                frontend.tcpSession = s.tcpSession
                frontend.logging = s.logging
                frontend.description = draft.description
                frontend.statsPage = s.statsPage
                frontend.connection = resolveConnectionOptions(draft, backendSide: false)
                if draft.kind == .listen, !draft.ownDefaultBackend, !draft.servers.isEmpty {
                    frontend.defaultBackend = name
                }
                if draft.kind == .frontend && draft.binds.isEmpty {
                    warning(draft.location, "\(draft.label) has no 'bind' directive. Please declare it as a backend if this was intended.")
                }
                configuration.frontends.append(frontend)
                proxies.append((draft, configuration.frontends.count - 1))
            } else {
                proxies.append((draft, nil))
            }
        }

        let backendsByName = Dictionary(configuration.backends.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (draft, frontendIndex) in proxies {
            let isBackend = draft.kind == .backend || draft.kind == .listen
            if isBackend { warnFastOpenWithoutRetries(draft) }
            guard let frontendIndex else {
                if isBackend { checkTimeouts(draft, frontend: false, backend: true) }
                continue
            }
            let frontend = configuration.frontends[frontendIndex]
            checkTimeouts(draft, frontend: true, backend: isBackend)
            let where_ = draft.settings.defaultBackendLocation ?? draft.location
            guard let target = frontend.defaultBackend else {
                // An HTTP proxy whose rules answer (return, redirect, use_backend) is fine without one.
                let h = frontend.http
                let answersItself = !h.useBackends.isEmpty || frontend.mode == .http && (!h.requestRules.isEmpty || !h.redirects.isEmpty)
                if !answersItself {
                    warning(draft.location, "\(draft.label) has no default_backend and no server: every connection will be refused")
                }
                continue
            }
            guard let backend = backendsByName[target] else {
                alert(where_, "\(draft.label): unable to find required default_backend '\(target)'"
                      + hint(target, Array(backendsByName.keys)))
                continue
            }
            checkModes(frontend: draft, frontendMode: frontend.mode, backend: backend, rule: "default_backend", at: where_)
        }
        resolveFullconn(&configuration)
        validateHTTP(proxies.map(\.draft), &configuration)
        validateTCPContent(proxies.map(\.draft))
        // The `peers` sections' tables join the proxies' before rules name them.
        resolvePeers(&configuration)
        validateStickActions(configuration)
        validateStickRules(&configuration)
        validateLogging(proxies.map(\.draft), &configuration)
        resolveTracking(&configuration)
    }

    /// HAProxy's warning for a server with `tfo` whose backend could not
    /// retry a request lost with a Fast Open SYN.
    private mutating func warnFastOpenWithoutRetries(_ draft: ProxyDraft) {
        let retryOn = Set(draft.settings.http.retryOn)
        let needed: Set<String> = ["connect-failure", "empty-response", "response-timeout"]
        guard !needed.isSubset(of: retryOn) else { return }
        for server in draft.servers where server.params.fastOpen {
            warning(server.location, "'server \(draft.name ?? "")/\(server.name)' : server has tfo activated, the backend should be configured with at least 'conn-failure', 'empty-response' and 'response-timeout' or we wouldn't be able to retry the connection on failure.")
        }
    }

    /// HAProxy's warnings for a section's own check rules that its check kind
    /// does not use (rules inherited from defaults are not reported, as in HAProxy).
    private mutating func checkUnusedCheckRules(_ draft: ProxyDraft) {
        guard let name = draft.name else { return }
        let kind = draft.kind == .listen ? "proxy" : draft.kind.rawValue
        let checkKind = draft.settings.healthCheck.kind
        if let first = draft.firstHTTPCheckRule, checkKind != .http {
            warning(first, "\(kind) '\(name)' uses http-check rules without 'option httpchk', so the rules are ignored.")
        }
        if let first = draft.firstTCPCheckRule, checkKind != .tcpCheck {
            warning(first, "\(kind) '\(name)' uses tcp-check rules without 'option tcp-check', so the rules are ignored.")
        }
    }

    /// HAProxy's warning for proxies missing the client/connect/server timeouts.
    private mutating func checkTimeouts(_ draft: ProxyDraft, frontend: Bool, backend: Bool) {
        let t = draft.settings.timeouts
        let missing = (frontend && t.client == nil) || (backend && (t.connect == nil || t.server == nil))
        guard missing, let name = draft.name else { return }
        let kind = draft.kind == .listen ? "proxy" : draft.kind.rawValue
        warning(draft.location, "missing timeouts for \(kind) '\(name)'. While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.")
    }
}

extension ParseSession {
    /// Every proxy's number, by name and location, with HAProxy's complaint
    /// about a number given twice.
    mutating func numberProxies() -> [String: Int] {
        let proxies = drafts.filter { $0.kind != .defaults && $0.name != nil }
        var seen: [Int: ProxyDraft] = [:]
        for p in proxies {
            guard let (n, location) = p.id else { continue }
            if let first = seen[n] {
                alert(location, "\(p.kind.rawValue) \(p.name!) reuses same custom id as \(first.kind.rawValue) \(first.name!) (declared at \(first.location)).")
            } else {
                seen[n] = p
            }
        }
        let numbers = ProxyNumbering.numbers(explicit: proxies.map { $0.id?.number },
                                             firstTaken: !global.statsSockets.isEmpty || global.statsTimeout != nil)
        var out: [String: Int] = [:]
        for (p, n) in zip(proxies, numbers) { out[p.name! + "\u{0}" + p.location.description] = n }
        return out
    }

    /// The section's servers with their numbers, with HAProxy's complaint
    /// about a number given twice.
    mutating func numberServers(_ draft: ProxyDraft) -> [Server] {
        var seen: [Int: Server] = [:]
        for server in draft.servers {
            guard let n = server.params.id else { continue }
            if let first = seen[n] {
                alert(server.location, "'server \(draft.name ?? "")/\(server.name)' : 'id' : custom id \(n) already used at \(first.location) ('server \(first.name)').")
            } else {
                seen[n] = server
            }
        }
        let numbers = ProxyNumbering.numbers(explicit: draft.servers.map { $0.params.id })
        return zip(draft.servers, numbers).map { server, n in
            var numbered = server
            numbered.id = n
            return numbered
        }
    }
}
