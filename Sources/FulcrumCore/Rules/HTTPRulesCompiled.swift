import FulcrumConfig
import FulcrumHTTP

/// The `mode http` rules of one proxy prepared when the worker starts:
/// conditions resolved against its ACL set, the regexes of replace-header /
/// replace-value compiled, statuses checked, `return file` bodies loaded, so
/// that a request only evaluates.
public final class HTTPCompiledRules: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init (Regex values are only read).
    public let proxyName: String
    public let settings: HTTPProxySettings
    public let acls: ACLSet
    /// Complete responses replacing the built-in pages (errorfile), by status.
    public let errorPages: [Int: [UInt8]]

    struct RequestRule { var rule: HTTPRequestRule; var condition: ACLCondition?; var regex: Regex<AnyRegexOutput>?; var body: [UInt8]? }
    struct ResponseRule { var rule: HTTPResponseRule; var condition: ACLCondition?; var regex: Regex<AnyRegexOutput>? }

    let requestRules: [RequestRule]
    let responseRules: [ResponseRule]
    let redirects: [(rule: RedirectRule, condition: ACLCondition?)]
    let useBackends: [(rule: UseBackendRule, condition: ACLCondition?)]

    /// No request-side rule at all: the engine can skip building a context.
    public var hasRequestRules: Bool { !requestRules.isEmpty || !redirects.isEmpty || !useBackends.isEmpty }
    public var hasResponseRules: Bool { !responseRules.isEmpty }

    /// `loadFile` reads `return ... file PATH` bodies (the daemon's job: this
    /// module does no I/O); a rule with a file body and no loader is an error.
    public init(proxyName: String, settings: HTTPProxySettings, acls: ACLSet,
                errorPages: [Int: [UInt8]] = [:], loadFile: ((String) throws -> [UInt8])? = nil) throws {
        self.proxyName = proxyName
        self.settings = settings
        self.acls = acls
        self.errorPages = errorPages

        func regex(_ p: String, _ where_: String) throws -> Regex<AnyRegexOutput> {
            do { return try Regex(p) } catch { throw HTTPRulesError("\(where_): invalid regex '\(p)': \(error)") }
        }
        func checkDeny(_ status: Int, _ where_: String) throws {
            guard HTTPGeneratedResponse.errorPageStatuses.contains(status) else {
                throw HTTPRulesError("\(where_): status code '\(status)' not handled by default with 'default-errorfiles' argument")
            }
        }

        var req: [RequestRule] = []
        for r in settings.requestRules {
            let at = "http-request at \(r.location)"
            var entry = RequestRule(rule: r, condition: try acls.compile(r.condition), regex: nil, body: nil)
            switch r.action {
            case .allow: break
            case .deny(let s): try checkDeny(s, at)
            case .returnResponse(let status, _, let body, let headers):
                guard (200...599).contains(status) else { throw HTTPRulesError("\(at): unexpected status code '\(status)'") }
                for h in headers { try LogFormatter.validate(h.value) }
                switch body {
                case .none: break
                case .string(let lf): try LogFormatter.validate(lf)
                case .file(let path):
                    guard let loadFile else { throw HTTPRulesError("\(at): no file loader for '\(path)'") }
                    entry.body = try loadFile(path)
                }
            case .redirect(let rr): try LogFormatter.validate(rr.value)
            case .setHeader(_, let v), .addHeader(_, let v): try LogFormatter.validate(v)
            case .delHeader: break
            case .replaceHeader(_, let p, let v), .replaceValue(_, let p, let v):
                try LogFormatter.validate(v)
                entry.regex = try regex(p, at)
            case .setPath(let v), .setQuery(let v), .setURI(let v), .setMethod(let v): try LogFormatter.validate(v)
            case .auth: break
            }
            req.append(entry)
        }
        var res: [ResponseRule] = []
        for r in settings.responseRules {
            let at = "http-response at \(r.location)"
            var entry = ResponseRule(rule: r, condition: try acls.compile(r.condition), regex: nil)
            switch r.action {
            case .allow, .delHeader: break
            case .deny(let s): try checkDeny(s, at)
            case .setHeader(_, let v), .addHeader(_, let v): try LogFormatter.validate(v)
            case .replaceHeader(_, let p, let v), .replaceValue(_, let p, let v):
                try LogFormatter.validate(v)
                entry.regex = try regex(p, at)
            }
            res.append(entry)
        }
        requestRules = req
        responseRules = res
        redirects = try settings.redirects.map { r in
            try LogFormatter.validate(r.value)
            return (r, try acls.compile(r.condition))
        }
        useBackends = try settings.useBackends.map { u in
            try LogFormatter.validate(u.backend)
            return (u, try acls.compile(u.condition))
        }
    }

    /// The page for a deny/auth: the errorfile when configured, else HAProxy's built-in one.
    func page(_ status: Int, extraFields: [(String, String)] = [], request: HTTPHead) -> (bytes: [UInt8], close: Bool) {
        let conn = HTTPGeneratedResponse.connection(for: request, mode: settings.connectionMode)
        if let custom = errorPages[status] { return (custom, conn.close) }
        return HTTPGeneratedResponse.errorPage(status: status, extraFields: extraFields, connection: conn)
            ?? HTTPGeneratedResponse.errorPage(status: 403, connection: conn)!
    }
}
