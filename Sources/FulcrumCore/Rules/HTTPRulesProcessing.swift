import FulcrumConfig
import FulcrumHTTP

/// Request and response processing in HAProxy's order. Frontend: its
/// http-request rules, then its `redirect` rules, then `use_backend` (first
/// match) or `default_backend`. Then, when the backend is another proxy, the
/// backend's http-request rules and redirects (`backend`). For a `listen`
/// proxy the caller runs `frontend` only, as HAProxy does not run the same
/// proxy's rules twice. Responses: the backend's http-response rules, then
/// the frontend's (`response`, called once per proxy).
public enum HTTPRequestProcessing {
    public enum Outcome: Equatable {
        /// Go on: forward to this backend (frontend: nil means no backend
        /// at all); from `backend`/`response`: nil, continue unchanged.
        case forward(backendName: String?)
        /// Send this complete response to the client instead; `close` tells
        /// whether the client connection closes after it.
        case respond([UInt8], close: Bool)
        /// `use-service`: a service of the proxy answers (HAProxy's applet).
        case service(HTTPRequestService)
        /// `reject` (close, nothing sent) or `silent-drop` (close without
        /// telling the client at all).
        case close(silent: Bool)
        /// `tarpit`: hold the request for `timeout tarpit`, then answer with
        /// this status.
        case tarpit(status: Int)
        /// `wait-for-body`: more of the body is needed; run the same rule set
        /// again with `context.resumeRule` once more arrived, or answer 408
        /// after `time` ms (0: no limit of its own).
        case waitForBody(time: Int)
    }

    public static func frontend(_ rules: HTTPCompiledRules, defaultBackend: String?, context: inout HTTPRuleContext,
                                backendExists: (String) -> Bool = { _ in true }) -> Outcome {
        if let r = requestRules(rules, context: &context) { return r }
        if let r = redirects(rules, context: context) { return r }
        for u in rules.useBackends where HTTPConditions.evaluate(u.condition, acls: rules.acls, context: context) {
            if let constant = u.name.constant { return .forward(backendName: constant) }
            // A dynamic name that names no backend stops the search: the default backend is used.
            let name = u.name.string(context: context, acls: rules.acls)
            if !name.isEmpty && backendExists(name) { return .forward(backendName: name) }
            break
        }
        return .forward(backendName: defaultBackend)
    }

    public static func backend(_ rules: HTTPCompiledRules, context: inout HTTPRuleContext) -> Outcome {
        if let r = requestRules(rules, context: &context) { return r }
        if let r = redirects(rules, context: context) { return r }
        return .forward(backendName: nil)
    }

    /// http-response rules on `context.response` (which must be set).
    public static func response(_ rules: HTTPCompiledRules, context: inout HTTPRuleContext) -> Outcome {
        responseRules(rules.responseRules, rules, context: &context)
    }

    /// http-after-response rules on `context.response` (which must be set):
    /// the same actions but deny, which these rules cannot have.
    public static func afterResponse(_ rules: HTTPCompiledRules, context: inout HTTPRuleContext) {
        _ = responseRules(rules.afterResponseRules, rules, context: &context)
    }

    static func responseRules(_ list: [HTTPCompiledRules.Rule<HTTPCompiledRules.ResponseAction>], _ rules: HTTPCompiledRules,
                              context: inout HTTPRuleContext) -> Outcome {
        guard context.response != nil else { return .forward(backendName: nil) }
        context.responsePhase = true
        if context.stick != nil { context.stickProxy = rules.proxyName }
        let acls = rules.acls
        let start = context.resumeRule, resumed = context.resumingRule
        context.resumeRule = 0
        context.resumingRule = false
        for index in start..<list.count {
            let r = list[index]
            guard (resumed && index == start) || HTTPConditions.evaluate(r.condition, acls: acls, context: context) else { continue }
            switch r.action {
            case .waitForBody(let w):
                let have = context.responseBody?.bytes.count ?? 0
                if context.responseBodyBuffered || (w.atLeast > 0 && have >= w.atLeast) { continue }
                context.resumeRule = index
                context.resumingRule = true
                return .waitForBody(time: w.time)
            case .allow:
                return .forward(backendName: nil)
            case .deny(let status):
                context.denied = true
                let p = rules.page(status, request: context.request)
                return .respond(p.bytes, close: p.close)
            case .setHeader(let name, let lf):
                let v = lf.bytes(context: context, acls: acls)
                context.response!.remove(name.text)
                context.response!.add(name: name.bytes, value: v)
            case .addHeader(let name, let lf):
                let v = lf.bytes(context: context, acls: acls)
                context.response!.add(name: name.bytes, value: v)
            case .delHeader(let name):
                context.response!.remove(name)
            case .replaceHeader(let name, let regex, let lf):
                let v = lf.string(context: context, acls: acls)
                HTTPHeaderEdit.replaceHeader(&context.response!, name: name.text, regex: regex, replacement: v)
            case .replaceValue(let name, let regex, let lf):
                let v = lf.string(context: context, acls: acls)
                HTTPHeaderEdit.replaceValue(&context.response!, name: name.text, regex: regex, replacement: v)
            case .capture(let lf, let slot):
                context.log.responseCaptures.append((slot, lf.bytes(context: context, acls: acls)))
            case .setLogLevel(let level):
                context.log.level = level.map { .level($0) } ?? .silent
            case .setVar(let ref, let e):
                e.store(in: ref, context: context, acls: acls)
            case .setVarFormat(let ref, let lf):
                setVariable(ref, format: lf, context: context, acls: acls)
            case .unsetVar(let ref):
                context.variables?.unset(ref)
            case .setStatus(let status, let code, let reason):
                context.response!.status = status
                context.response!.statusLineOverride = (code, reason)
            case .cacheStore(let target):
                HTTPCacheRules.store(target, context: &context)
            case .patternFile(let a):
                a.run(context: context, acls: acls)
            case .stick(let a):
                a.run(context: context, acls: acls)
            }
        }
        return .forward(backendName: nil)
    }

    /// `set-var-fmt`: the format's expansion, written in the variable's
    /// reused storage.
    static func setVariable(_ ref: VariableRef, format lf: CompiledLogFormat, context: HTTPRuleContext, acls: ACLSet?) {
        guard let variables = context.variables else { return }
        variables.withScratch { buf in
            lf.append(context: context, acls: acls, to: &buf)
            if ref.conditions.isEmpty { variables.store(ref.scope).setBytes(ref.slot, buf) } else { variables.set(ref, .bytes(buf[...])) }
        }
    }

    /// Runs http-request rules; returns a response when one is terminal.
    static func requestRules(_ rules: HTTPCompiledRules, context: inout HTTPRuleContext) -> Outcome? {
        let acls = rules.acls
        if context.stick != nil { context.stickProxy = rules.proxyName }
        let start = context.resumeRule, resumed = context.resumingRule
        context.resumeRule = 0
        context.resumingRule = false
        // By index, reading the rule in place: a copy of each rule retains
        // its action's payloads whether or not its condition holds.
        let list = rules.requestRules
        for index in start..<list.count {
            guard (resumed && index == start) || HTTPConditions.evaluate(list[index].condition, acls: acls, context: context) else { continue }
            switch list[index].action {
            case .waitForBody(let w):
                // HAProxy's http_wait_for_msg_body: on once the body is all
                // there (or the buffer full), or `at-least` bytes of it are.
                if context.bodyBuffered || (w.atLeast > 0 && (context.body?.bytes.count ?? 0) >= w.atLeast) { continue }
                context.resumeRule = index
                context.resumingRule = true
                return .waitForBody(time: w.time)
            case .allow:
                return nil
            case .deny(let status):
                context.denied = true
                let p = rules.page(status, request: context.request)
                return .respond(p.bytes, close: p.close)
            case .auth(let realm):
                let p = rules.page(401, extraFields: [("www-authenticate", "Basic realm=\"\(realm ?? rules.proxyName)\"")],
                                   request: context.request)
                return .respond(p.bytes, close: p.close)
            case .returnResponse(let status, let contentType, let body, let headers):
                let fields = headers.map { ($0.name, $0.value.string(context: context, acls: acls)) }
                let bytes: [UInt8]
                switch body {
                case .none: bytes = []
                case .format(let lf): bytes = lf.bytes(context: context, acls: acls)
                case .bytes(let b): bytes = b
                }
                let conn = HTTPGeneratedResponse.connection(for: context.request, mode: rules.settings.connectionMode)
                return .respond(HTTPGeneratedResponse.reply(status: status, contentType: contentType, body: bytes,
                                                            fields: fields, connection: conn), close: conn.close)
            case .useService(let service):
                return .service(service)
            case .redirect(let rr):
                let p = HTTPRedirect.responseAndClose(rr.rule, value: rr.value, context: context, acls: acls,
                                                      mode: rules.settings.connectionMode)
                return .respond(p.bytes, close: p.close)
            case .setHeader(let name, let lf):
                let v = lf.bytes(context: context, acls: acls)
                context.request.remove(name.text)
                context.request.add(name: name.bytes, value: v)
            case .addHeader(let name, let lf):
                let v = lf.bytes(context: context, acls: acls)
                context.request.add(name: name.bytes, value: v)
            case .delHeader(let name):
                context.request.remove(name)
            case .earlyHint(let name, let lf):
                if context.request.version == .http11 {
                    EarlyHints.append(name: name.bytes, value: lf.bytes(context: context, acls: acls), to: &context.earlyHints)
                }
            case .replaceHeader(let name, let regex, let lf):
                let v = lf.string(context: context, acls: acls)
                HTTPHeaderEdit.replaceHeader(&context.request, name: name.text, regex: regex, replacement: v)
            case .replaceValue(let name, let regex, let lf):
                let v = lf.string(context: context, acls: acls)
                HTTPHeaderEdit.replaceValue(&context.request, name: name.text, regex: regex, replacement: v)
            case .setPath(let lf):
                let v = lf.bytes(context: context, acls: acls)
                context.request.targetOverride = HTTPRequestLine.replacingPath(context.request.target, with: v)
            case .setQuery(let lf):
                let v = lf.bytes(context: context, acls: acls)
                context.request.targetOverride = HTTPRequestLine.replacingQuery(context.request.target, with: v)
            case .setURI(let lf):
                context.request.targetOverride = lf.bytes(context: context, acls: acls)
            case .setMethod(let lf):
                context.request.methodOverride = lf.bytes(context: context, acls: acls)
            case .capture(let lf, let slot):
                context.log.requestCaptures.append((slot, lf.bytes(context: context, acls: acls)))
            case .setLogLevel(let level):
                context.log.level = level.map { .level($0) } ?? .silent
            case .setVar(let ref, let e):
                e.store(in: ref, context: context, acls: acls)
            case .setVarFormat(let ref, let lf):
                setVariable(ref, format: lf, context: context, acls: acls)
            case .unsetVar(let ref):
                context.variables?.unset(ref)
            case .setAddress(let field, let e):
                e.evaluate(context: context, acls: acls) { sample in
                    switch field {
                    case .source: if let a = sample.address { context.connection.source.address = a }
                    case .destination: if let a = sample.address { context.connection.destination.address = a }
                    case .sourcePort: if let p = sample.integer { context.connection.source.port = Int(UInt16(truncatingIfNeeded: p)) }
                    case .destinationPort: if let p = sample.integer { context.connection.destination.port = Int(UInt16(truncatingIfNeeded: p)) }
                    }
                }
                context.connection.addressesChanged = true
            case .silentDrop:
                return .close(silent: true)
            case .reject:
                return .close(silent: false)
            case .tarpit(let status):
                context.denied = true
                return .tarpit(status: status)
            case .cacheUse(let target):
                HTTPCacheRules.use(target, context: &context)
            case .stick(let a):
                a.run(context: context, acls: acls)
            case .normalizeURI(let n):
                switch URINormalization.apply(n, to: context.request.target) {
                case .unchanged: break
                case .changed(let t): context.request.targetOverride = t
                case .invalid:
                    let p = rules.page(400, request: context.request)
                    return .respond(p.bytes, close: p.close)
                }
            case .patternFile(let a):
                a.run(context: context, acls: acls)
            }
        }
        return nil
    }

    static func redirects(_ rules: HTTPCompiledRules, context: HTTPRuleContext) -> Outcome? {
        for r in rules.redirects where HTTPConditions.evaluate(r.condition, acls: rules.acls, context: context) {
            let p = HTTPRedirect.responseAndClose(r.action.rule, value: r.action.value, context: context, acls: rules.acls,
                                                  mode: rules.settings.connectionMode)
            return .respond(p.bytes, close: p.close)
        }
        return nil
    }
}

/// Rewrites of the request target (set-path, set-query).
enum HTTPRequestLine {
    /// Replaces the path (up to "?"), keeping an absolute URI's scheme and
    /// authority and the query.
    static func replacingPath(_ target: ArraySlice<UInt8>, with path: [UInt8]) -> [UInt8] {
        let p = HTTPTarget(target).path
        var out: [UInt8] = []
        out.reserveCapacity(target.count - p.count + path.count)
        out.append(contentsOf: target[..<p.lowerBound]); out.append(contentsOf: path); out.append(contentsOf: target[p.upperBound...])
        return out
    }

    /// Replaces the query: after an existing "?" (even with an empty value);
    /// without one, "?" is added only for a non-empty query.
    static func replacingQuery(_ target: ArraySlice<UInt8>, with query: [UInt8]) -> [UInt8] {
        if let q = target.firstIndex(of: UInt8(ascii: "?")) { return Array(target[...q]) + query }
        return query.isEmpty ? Array(target) : Array(target) + [UInt8(ascii: "?")] + query
    }
}

/// `http-after-response` on a response the proxy made itself (an error
/// page, a redirect, a deny, a `return`): the bytes are parsed into a head,
/// the rule sets run in order (backend's, then frontend's) and the head is
/// written again in front of the unchanged body. Only on these paths, so
/// the cost of parsing is never paid by forwarded responses.
public enum HTTPGeneratedAfterResponse {
    public static func apply(_ ruleSets: [HTTPCompiledRules], to bytes: [UInt8], context: inout HTTPRuleContext) -> [UInt8] {
        var head = HTTPHead(kind: .response)
        let limits = HTTPLimits(maxHeadSize: max(bytes.count * 2, 16384), maxFields: 1000, acceptInvalid: true)
        let parsed = bytes.withUnsafeBytes { HTTPParser.parseResponse($0, limits: limits, into: &head) }
        guard case .complete(let length) = parsed else { return bytes }
        context.response = head
        for rules in ruleSets where rules.hasAfterResponseRules {
            HTTPRequestProcessing.afterResponse(rules, context: &context)
        }
        guard let edited = context.response, !edited.isUnmodified else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        edited.serialize(into: &out)
        out.append(contentsOf: bytes[length...])
        return out
    }
}
