import FulcrumConfig
import FulcrumHTTP
import FulcrumLog

/// The `mode http` rules of one proxy prepared when the worker starts:
/// conditions resolved against its ACL set, log-format values compiled,
/// header names turned into bytes, the regexes of replace-header /
/// replace-value built, statuses checked, `return file` bodies loaded, so
/// that a request only evaluates (a switch per rule, no parsing, no String).
public final class HTTPCompiledRules: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init (Regex values are only read).
    public let proxyName: String
    public let settings: HTTPProxySettings
    public let acls: ACLSet
    /// Complete responses replacing the built-in pages (errorfile), by status.
    public let errorPages: [Int: [UInt8]]

    /// A field name as rules write it: the text (to find fields) and its
    /// bytes (to add one without converting the name per request).
    struct FieldName {
        let text: String
        let bytes: [UInt8]
        init(_ text: String) { self.text = text; bytes = Array(text.utf8) }
    }

    enum ReturnBody { case none, format(CompiledLogFormat), bytes([UInt8]) }

    struct Redirect {
        let rule: RedirectRule
        let value: CompiledLogFormat
        init(_ rule: RedirectRule) throws { self.rule = rule; value = try CompiledLogFormat(rule.value) }
    }

    enum RequestAction {
        case allow
        case deny(status: Int)
        case auth(realm: String?)
        case returnResponse(status: Int, contentType: String?, body: ReturnBody, headers: [(name: String, value: CompiledLogFormat)])
        case redirect(Redirect)
        case setHeader(FieldName, CompiledLogFormat)
        case addHeader(FieldName, CompiledLogFormat)
        case earlyHint(FieldName, CompiledLogFormat)
        case delHeader(String)
        case replaceHeader(FieldName, Regex<AnyRegexOutput>, CompiledLogFormat)
        case replaceValue(FieldName, Regex<AnyRegexOutput>, CompiledLogFormat)
        case setPath(CompiledLogFormat)
        case setQuery(CompiledLogFormat)
        case setURI(CompiledLogFormat)
        case setMethod(CompiledLogFormat)
        case capture(CompiledLogFormat, slot: Int)
        case setLogLevel(LogLevel?)
        case useService(HTTPRequestService)
        case setVar(VariableRef, CompiledSampleExpression)
        case setVarFormat(VariableRef, CompiledLogFormat)
        case unsetVar(VariableRef)
        case setAddress(ConnectionAddressField, CompiledSampleExpression)
        case silentDrop
        case reject
        case tarpit(status: Int)
        case normalizeURI(URINormalizer)
        case cacheUse(HTTPCacheRuleTarget)
        case patternFile(CompiledPatternFileAction)
        case stick(CompiledStickAction)
        case waitForBody(WaitForBody)
    }

    enum ResponseAction {
        case allow
        case deny(status: Int)
        case setHeader(FieldName, CompiledLogFormat)
        case addHeader(FieldName, CompiledLogFormat)
        case delHeader(String)
        case replaceHeader(FieldName, Regex<AnyRegexOutput>, CompiledLogFormat)
        case replaceValue(FieldName, Regex<AnyRegexOutput>, CompiledLogFormat)
        case capture(CompiledLogFormat, slot: Int)
        case setLogLevel(LogLevel?)
        case setVar(VariableRef, CompiledSampleExpression)
        case setVarFormat(VariableRef, CompiledLogFormat)
        case unsetVar(VariableRef)
        case setStatus(Int, code: [UInt8], reason: [UInt8])
        case cacheStore(HTTPCacheRuleTarget)
        case patternFile(CompiledPatternFileAction)
        case stick(CompiledStickAction)
        case waitForBody(WaitForBody)
    }

    struct Rule<Action> { let action: Action; let condition: ACLCondition? }
    struct UseBackend { let name: CompiledLogFormat; let condition: ACLCondition? }

    let requestRules: [Rule<RequestAction>]
    let responseRules: [Rule<ResponseAction>]
    let afterResponseRules: [Rule<ResponseAction>]
    let redirects: [Rule<Redirect>]
    let useBackends: [UseBackend]
    /// `monitor-uri` as bytes, and the `monitor fail` conditions.
    let monitorURI: [UInt8]?
    let monitorFail: [ACLCondition]

    /// No request-side rule at all: the engine can skip building a context.
    public var hasRequestRules: Bool { !requestRules.isEmpty || !redirects.isEmpty || !useBackends.isEmpty }
    /// An `http-request wait-for-body` rule: the engine gives the rules what
    /// is buffered of the body (`HTTPRuleContext.body`, `bodyBuffered`).
    public let waitsForBody: Bool
    /// An `http-response wait-for-body` rule (`responseBody`, `responseBodyBuffered`).
    public let responseWaitsForBody: Bool
    public var hasResponseRules: Bool { !responseRules.isEmpty }
    /// Response rules other than `cache-store` (which a cache hit skips):
    /// a hit answered from the cache goes through them.
    public var hasResponseRulesForCacheHits: Bool {
        responseRules.contains { if case .cacheStore = $0.action { return false } else { return true } }
    }
    public var hasAfterResponseRules: Bool { !afterResponseRules.isEmpty }
    /// A `monitor-uri` to answer before the rules.
    public var hasMonitorURI: Bool { monitorURI != nil }

    /// `loadFile` reads `return ... file PATH` bodies (the daemon's job: this
    /// module does no I/O); a rule with a file body and no loader is an error.
    public init(proxyName: String, settings: HTTPProxySettings, acls: ACLSet,
                errorPages: [Int: [UInt8]] = [:], loadFile: ((String) throws -> [UInt8])? = nil,
                caches: [CacheSection] = []) throws {
        self.proxyName = proxyName
        self.settings = settings
        self.acls = acls
        self.errorPages = errorPages

        func regex(_ p: String, _ at: String) throws -> Regex<AnyRegexOutput> {
            do { return try Regex(p) } catch { throw HTTPRulesError("\(at): invalid regex '\(p)': \(error)") }
        }
        func checkDeny(_ status: Int, _ at: String) throws {
            guard HTTPGeneratedResponse.errorPageStatuses.contains(status) else {
                throw HTTPRulesError("\(at): status code '\(status)' not handled by default with 'default-errorfiles' argument")
            }
        }
        let lf = CompiledLogFormat.init
        func cache(_ name: String, _ at: String) throws -> HTTPCacheRuleTarget {
            guard let i = caches.firstIndex(where: { $0.name == name }) else {
                throw HTTPRulesError("\(at): unable to find the cache '\(name)' referenced by the filter 'cache'.")
            }
            return HTTPCacheRuleTarget(index: i, maxAge: caches[i].maxAge, processVary: caches[i].processVary)
        }

        // The logging actions (capture, set-log-level) belong to the stream's
        // log line, which the worker does not write yet: refused, not ignored.
        requestRules = try settings.requestRules.compactMap { r in
            let at = "http-request at \(r.location)"
            let action: RequestAction
            switch r.action {
            case .allow: action = .allow
            case .deny(let s): try checkDeny(s, at); action = .deny(status: s)
            case .auth(let realm): action = .auth(realm: realm)
            case .returnResponse(let status, let contentType, let body, let headers):
                guard (200...599).contains(status) else { throw HTTPRulesError("\(at): unexpected status code '\(status)'") }
                let compiledBody: ReturnBody
                switch body {
                case .none: compiledBody = .none
                case .string(let f): compiledBody = .format(try lf(f))
                case .file(let path):
                    guard let loadFile else { throw HTTPRulesError("\(at): no file loader for '\(path)'") }
                    compiledBody = .bytes(try loadFile(path))
                }
                action = .returnResponse(status: status, contentType: contentType, body: compiledBody,
                                         headers: try headers.map { ($0.name, try lf($0.value)) })
            case .redirect(let rr): action = .redirect(try Redirect(rr))
            case .setHeader(let n, let v): action = .setHeader(FieldName(n), try lf(v))
            case .addHeader(let n, let v): action = .addHeader(FieldName(n), try lf(v))
            case .earlyHint(let n, let v): action = .earlyHint(FieldName(n), try lf(v))
            case .delHeader(let n): action = .delHeader(n)
            case .replaceHeader(let n, let p, let v): action = .replaceHeader(FieldName(n), try regex(p, at), try lf(v))
            case .replaceValue(let n, let p, let v): action = .replaceValue(FieldName(n), try regex(p, at), try lf(v))
            case .setPath(let v): action = .setPath(try lf(v))
            case .setQuery(let v): action = .setQuery(try lf(v))
            case .setURI(let v): action = .setURI(try lf(v))
            case .setMethod(let v): action = .setMethod(try lf(v))
            case .capture(let sample, let slot): action = .capture(try lf(sample), slot: slot)
            case .setLogLevel(let level): action = .setLogLevel(level)
            case .useService(let service): action = .useService(service)
            case .setVar(let n, let e): action = .setVar(VariableRef(n), try CompiledSampleExpression(e))
            case .setVarFormat(let n, let f): action = .setVarFormat(VariableRef(n), try lf(f))
            case .unsetVar(let n): action = .unsetVar(VariableRef(n))
            case .setAddress(let field, let e): action = .setAddress(field, try CompiledSampleExpression(e))
            case .silentDrop: action = .silentDrop
            case .reject: action = .reject
            case .tarpit(let status): try checkDeny(status, at); action = .tarpit(status: status)
            case .normalizeURI(let n): action = .normalizeURI(n)
            case .cacheUse(let name): action = .cacheUse(try cache(name, at))
            case .patternFile(let a): action = .patternFile(try CompiledPatternFileAction(a))
            case .stick(let a): action = .stick(try CompiledStickAction(a, proxy: proxyName))
            case .waitForBody(let w): action = .waitForBody(w)
            }
            return Rule(action: action, condition: try acls.compile(r.condition))
        }
        waitsForBody = requestRules.contains { if case .waitForBody = $0.action { return true } else { return false } }
        func responseRule(_ r: HTTPResponseRule, _ kind: String) throws -> Rule<ResponseAction> {
            let at = "\(kind) at \(r.location)"
            let action: ResponseAction
            switch r.action {
            case .allow: action = .allow
            case .delHeader(let n): action = .delHeader(n)
            case .deny(let s): try checkDeny(s, at); action = .deny(status: s)
            case .setHeader(let n, let v): action = .setHeader(FieldName(n), try lf(v))
            case .addHeader(let n, let v): action = .addHeader(FieldName(n), try lf(v))
            case .replaceHeader(let n, let p, let v): action = .replaceHeader(FieldName(n), try regex(p, at), try lf(v))
            case .replaceValue(let n, let p, let v): action = .replaceValue(FieldName(n), try regex(p, at), try lf(v))
            case .capture(let sample, let slot): action = .capture(try lf(sample), slot: slot)
            case .setLogLevel(let level): action = .setLogLevel(level)
            case .setVar(let n, let e): action = .setVar(VariableRef(n), try CompiledSampleExpression(e))
            case .setVarFormat(let n, let f): action = .setVarFormat(VariableRef(n), try lf(f))
            case .unsetVar(let n): action = .unsetVar(VariableRef(n))
            case .setStatus(let code, let reason):
                action = .setStatus(code, code: Array(String(code).utf8), reason: Array((reason ?? HTTPGeneratedResponse.reason(code)).utf8))
            case .cacheStore(let name): action = .cacheStore(try cache(name, at))
            case .patternFile(let a): action = .patternFile(try CompiledPatternFileAction(a))
            case .stick(let a): action = .stick(try CompiledStickAction(a, proxy: proxyName))
            case .waitForBody(let w): action = .waitForBody(w)
            }
            return Rule(action: action, condition: try acls.compile(r.condition))
        }
        responseRules = try settings.responseRules.map { try responseRule($0, "http-response") }
        responseWaitsForBody = responseRules.contains { if case .waitForBody = $0.action { return true } else { return false } }
        afterResponseRules = try settings.afterResponseRules.map { try responseRule($0, "http-after-response") }
        redirects = try settings.redirects.map { Rule(action: try Redirect($0), condition: try acls.compile($0.condition)) }
        useBackends = try settings.useBackends.map { UseBackend(name: try lf($0.backend), condition: try acls.compile($0.condition)) }
        monitorURI = settings.monitorURI.map { Array($0.utf8) }
        monitorFail = try settings.monitorFail.compactMap { try acls.compile($0) }
    }

    /// The page for a deny/auth: the errorfile when configured, else HAProxy's built-in one.
    func page(_ status: Int, extraFields: [(String, String)] = [], request: HTTPHead) -> (bytes: [UInt8], close: Bool) {
        let conn = HTTPGeneratedResponse.connection(for: request, mode: settings.connectionMode)
        if let custom = errorPages[status] { return (custom, conn.close) }
        return HTTPGeneratedResponse.errorPage(status: status, extraFields: extraFields, connection: conn)
            ?? HTTPGeneratedResponse.errorPage(status: 403, connection: conn)!
    }
}
