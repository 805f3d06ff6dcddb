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
    }

    public static func frontend(_ rules: HTTPCompiledRules, defaultBackend: String?, context: inout HTTPRuleContext,
                                backendExists: (String) -> Bool = { _ in true }) -> Outcome {
        if let r = requestRules(rules, context: &context) { return r }
        if let r = redirects(rules, context: context) { return r }
        for (rule, condition) in rules.useBackends where HTTPConditions.evaluate(condition, acls: rules.acls, context: context) {
            let name = LogFormatter.expand(rule.backend, context: context, acls: rules.acls)
            if rule.backend.isConstant { return .forward(backendName: name) }
            // A dynamic name that names no backend stops the search: the default backend is used.
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
        guard context.response != nil else { return .forward(backendName: nil) }
        context.responsePhase = true
        for r in rules.responseRules where HTTPConditions.evaluate(r.condition, acls: rules.acls, context: context) {
            switch r.rule.action {
            case .allow:
                return .forward(backendName: nil)
            case .deny(let status):
                let p = rules.page(status, request: context.request)
                return .respond(p.bytes, close: p.close)
            case .setHeader(let name, let lf):
                let v = LogFormatter.expand(lf, context: context, acls: rules.acls)
                context.response!.set(name, v)
            case .addHeader(let name, let lf):
                let v = LogFormatter.expand(lf, context: context, acls: rules.acls)
                context.response!.add(name, v)
            case .delHeader(let name):
                context.response!.remove(name)
            case .replaceHeader(let name, _, let lf):
                let v = LogFormatter.expand(lf, context: context, acls: rules.acls)
                HTTPHeaderEdit.replaceHeader(&context.response!, name: name, regex: r.regex!, replacement: v)
            case .replaceValue(let name, _, let lf):
                let v = LogFormatter.expand(lf, context: context, acls: rules.acls)
                HTTPHeaderEdit.replaceValue(&context.response!, name: name, regex: r.regex!, replacement: v)
            }
        }
        return .forward(backendName: nil)
    }

    /// Runs http-request rules; returns a response when one is terminal.
    static func requestRules(_ rules: HTTPCompiledRules, context: inout HTTPRuleContext) -> Outcome? {
        let acls = rules.acls
        for r in rules.requestRules where HTTPConditions.evaluate(r.condition, acls: acls, context: context) {
            func expand(_ lf: LogFormat) -> String { LogFormatter.expand(lf, context: context, acls: acls) }
            switch r.rule.action {
            case .allow:
                return nil
            case .deny(let status):
                let p = rules.page(status, request: context.request)
                return .respond(p.bytes, close: p.close)
            case .auth(let realm):
                let p = rules.page(401, extraFields: [("www-authenticate", "Basic realm=\"\(realm ?? rules.proxyName)\"")],
                                   request: context.request)
                return .respond(p.bytes, close: p.close)
            case .returnResponse(let status, let contentType, let body, let headers):
                let fields = headers.map { ($0.name, expand($0.value)) }
                let bytes: [UInt8]
                switch body {
                case .none: bytes = []
                case .string(let lf): bytes = Array(expand(lf).utf8)
                case .file: bytes = r.body ?? []
                }
                let conn = HTTPGeneratedResponse.connection(for: context.request, mode: rules.settings.connectionMode)
                return .respond(HTTPGeneratedResponse.reply(status: status, contentType: contentType, body: bytes,
                                                            fields: fields, connection: conn), close: conn.close)
            case .redirect(let rr):
                let p = HTTPRedirect.responseAndClose(rr, context: context, acls: acls, mode: rules.settings.connectionMode)
                return .respond(p.bytes, close: p.close)
            case .setHeader(let name, let lf):
                let v = expand(lf)
                context.request.set(name, v)
            case .addHeader(let name, let lf):
                let v = expand(lf)
                context.request.add(name, v)
            case .delHeader(let name):
                context.request.remove(name)
            case .replaceHeader(let name, _, let lf):
                let v = expand(lf)
                HTTPHeaderEdit.replaceHeader(&context.request, name: name, regex: r.regex!, replacement: v)
            case .replaceValue(let name, _, let lf):
                let v = expand(lf)
                HTTPHeaderEdit.replaceValue(&context.request, name: name, regex: r.regex!, replacement: v)
            case .setPath(let lf):
                let v = expand(lf)
                context.request.targetOverride = HTTPRequestLine.replacingPath(context.request.target, with: Array(v.utf8))
            case .setQuery(let lf):
                let v = expand(lf)
                context.request.targetOverride = HTTPRequestLine.replacingQuery(context.request.target, with: Array(v.utf8))
            case .setURI(let lf):
                context.request.targetOverride = Array(expand(lf).utf8)
            case .setMethod(let lf):
                context.request.methodOverride = Array(expand(lf).utf8)
            }
        }
        return nil
    }

    static func redirects(_ rules: HTTPCompiledRules, context: HTTPRuleContext) -> Outcome? {
        for (rule, condition) in rules.redirects where HTTPConditions.evaluate(condition, acls: rules.acls, context: context) {
            let p = HTTPRedirect.responseAndClose(rule, context: context, acls: rules.acls, mode: rules.settings.connectionMode)
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
        let p = HTTPURI.path(target) ?? target[target.endIndex...]
        let prefix = target[target.startIndex..<p.startIndex]
        let q = p.firstIndex(of: UInt8(ascii: "?")).map { p[$0...] } ?? p[p.endIndex...]
        return Array(prefix) + path + Array(q)
    }

    /// Replaces the query: after an existing "?" (even with an empty value);
    /// without one, "?" is added only for a non-empty query.
    static func replacingQuery(_ target: ArraySlice<UInt8>, with query: [UInt8]) -> [UInt8] {
        if let q = target.firstIndex(of: UInt8(ascii: "?")) { return Array(target[...q]) + query }
        return query.isEmpty ? Array(target) : Array(target) + [UInt8(ascii: "?")] + query
    }
}
