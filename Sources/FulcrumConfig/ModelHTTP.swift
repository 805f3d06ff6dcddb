import FulcrumBytes
import FulcrumLog

// The typed configuration of `mode http` (issue 4): ACLs and conditions,
// routing and header rules, cookie persistence, compression, error pages,
// userlists. The parser fills these; the worker's HTTP engine evaluates them.

/// A sample fetch as written: `path`, `hdr(host)`, `url_param(id)`,
/// `req.cook(SESSION)`, `src`, … (name without parentheses, arguments split
/// on commas), with the converters a log-format sample applies to it
/// (`%[path,lower]`, `%[req.hdr(host),lower,map(/etc/hosts.map)]`; an ACL
/// criterion may carry them too: `req.hdr(host),map_str(FILE) -m found`).
public struct SampleFetch: Equatable, Sendable {
    public var name: String
    public var arguments: [String]
    public var converters: [SampleConverter]
    public init(name: String, arguments: [String] = [], converters: [SampleConverter] = []) {
        self.name = name; self.arguments = arguments; self.converters = converters
    }
}

/// How ACL patterns are compared (`-m`), defaulting per criterion as HAProxy
/// does (`path_beg` → `beg`, `src` → `ip`, `hdr_cnt` → `int`, …).
public enum MatchMethod: String, Equatable, Sendable {
    case str, beg, end, sub, reg, found, len, dir, dom, int, ip, bool
}

/// `acl NAME CRITERION [flags] [operator] PATTERNS...`, or an anonymous
/// `{ CRITERION ... }` inside a condition, or a predefined ACL (name only).
public struct ACLDefinition: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var fetch: SampleFetch
    public var method: MatchMethod
    public var ignoreCase: Bool = false
    /// Patterns as written (IP patterns may carry a /mask; int patterns may
    /// be "lt 5", "ge 10", "1:5" ranges — kept as text for the evaluator).
    public var patterns: [String] = []
    /// `-f FILE`s in order: their patterns come before the inline ones.
    public var files: [String] = []
    /// Per file: whether `-i` came before its `-f` (HAProxy reads a file
    /// with the flags given so far).
    public var filesIgnoringCase: [Bool] = []
    /// The pattern reference (`#ID`) holding the inline patterns; nil for
    /// predefined ACLs (which the runtime API does not list).
    public var inlineReference: Int? = nil
    public init(name: String, location: SourceLocation, fetch: SampleFetch, method: MatchMethod) {
        self.name = name; self.location = location; self.fetch = fetch; self.method = method
    }
}

/// One term of a condition: a named ACL (declared with `acl`, possibly several
/// lines with the same name, OR-ed, or predefined like `METH_GET`) or an
/// anonymous one, optionally negated.
public struct ConditionTerm: Equatable, Sendable {
    public enum Reference: Equatable, Sendable {
        case named(String)
        case anonymous(ACLDefinition)
    }
    public var negated: Bool
    public var reference: Reference
    public init(negated: Bool, reference: Reference) { self.negated = negated; self.reference = reference }
}

/// `if|unless TERMS`: terms are AND-ed, `||` / `or` separates OR-ed groups.
public struct RuleCondition: Equatable, Sendable {
    public var unless: Bool
    /// OR of AND groups.
    public var groups: [[ConditionTerm]]
    public init(unless: Bool, groups: [[ConditionTerm]]) { self.unless = unless; self.groups = groups }
}

/// A log-format string used as a value (header values, redirect targets,
/// dynamic backend names, return bodies): literal text, `%[fetch,conv]`
/// samples and the `%variables` a rule can answer (see
/// `LogFormatParsing.valueVariables`). Parsed by FulcrumLog's grammar, the
/// one `log-format` lines use.
public struct LogFormat: Equatable, Sendable {
    public enum Part: Equatable, Sendable {
        case literal(String)
        case sample(SampleFetch)
        case variable(LogVariable, LogFlags)
    }
    public var text: String
    public var parts: [Part]
    public init(text: String, parts: [Part]) { self.text = text; self.parts = parts }
    /// The variables a value may use: what a rule knows of the request and
    /// its connection. Timers, counters, names and dates belong to log lines;
    /// elsewhere they are refused at load instead of written empty.
    public static let ruleVariables: [LogVariable] = [
        .clientIP, .clientPort, .frontendIP, .frontendPort,
        .requestLine, .httpMethod, .httpURI, .httpPath, .httpPathOnly, .httpQuery, .httpVersion,
    ]
    /// True when it holds only literal text (a constant string).
    public var isConstant: Bool { !parts.contains { if case .literal = $0 { return false } else { return true } } }
}

public struct UseBackendRule: Equatable, Sendable {
    public var location: SourceLocation
    /// A backend name, possibly dynamic (`%[req.hdr(x)]`).
    public var backend: LogFormat
    public var condition: RuleCondition?
    public init(location: SourceLocation, backend: LogFormat, condition: RuleCondition?) {
        self.location = location; self.backend = backend; self.condition = condition
    }
}

public struct RedirectRule: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case location, prefix, scheme }
    public var kind: Kind
    public var value: LogFormat
    /// 301, 302 (default), 303, 307, 308.
    public var code: Int = 302
    public var dropQuery = false
    public var appendSlash = false
    /// `set-cookie NAME[=VALUE]` / `clear-cookie NAME`: not served yet.
    public var condition: RuleCondition?
    public init(kind: Kind, value: LogFormat) { self.kind = kind; self.value = value }
}

/// The body of `http-request return` / error pages.
public enum ResponseBody: Equatable, Sendable {
    case none
    /// `string TEXT` (or `lf-string`, kept as a log-format).
    case string(LogFormat)
    /// `file PATH`: contents read by the daemon at load time.
    case file(path: String)
}

public enum HTTPRequestAction: Equatable, Sendable {
    case allow
    /// `deny [deny_status N]` (HAProxy's default 403).
    case deny(status: Int)
    case returnResponse(status: Int, contentType: String?, body: ResponseBody, headers: [(name: String, value: LogFormat)])
    case redirect(RedirectRule)
    case setHeader(name: String, value: LogFormat)
    case addHeader(name: String, value: LogFormat)
    case delHeader(name: String)
    /// `replace-header NAME REGEX REPLACE`: on the whole value.
    case replaceHeader(name: String, regex: String, replacement: LogFormat)
    /// `replace-value NAME REGEX REPLACE`: on each comma-separated value.
    case replaceValue(name: String, regex: String, replacement: LogFormat)
    /// `early-hint NAME FMT`: a 103 Early Hints response carrying this field
    /// goes to an HTTP/1.1 client before the final one (EarlyHints.swift).
    case earlyHint(name: String, value: LogFormat)
    case setPath(LogFormat)
    case setQuery(LogFormat)
    case setURI(LogFormat)
    case setMethod(LogFormat)
    /// `auth [realm R]`: 401 with WWW-Authenticate.
    case auth(realm: String?)
    /// `capture SAMPLE len N | id N`: the sample's value, as text truncated to
    /// the slot's length, goes in request capture slot `slot` of the stream's
    /// frontend (`Frontend.logging.captures.request[slot]`; with `len` the
    /// slot this rule made). `sample` is a log-format of that one `%[...]`
    /// expression. An `id` beyond the frontend's slots captures nothing (a
    /// backend's rule may name any id: HAProxy does not check it there).
    case capture(sample: LogFormat, slot: Int)
    /// `set-log-level LEVEL|silent`: the level this stream's log line is sent
    /// at; nil is `silent` (no line at all).
    case setLogLevel(LogLevel?)
    /// `use-service NAME`: a final action handing the request to a service
    /// built into the proxy.
    case useService(HTTPRequestService)
    /// `set-var(NAME) EXPR`, `set-var-fmt(NAME) FMT`, `unset-var(NAME)`.
    case setVar(VariableName, SampleFetch)
    case setVarFormat(VariableName, LogFormat)
    case unsetVar(VariableName)
    /// `set-src|set-src-port|set-dst|set-dst-port EXPR`: what the fetches
    /// (and, for `set-dst`, the connection to a server without an address
    /// of its own) see from then on.
    case setAddress(ConnectionAddressField, SampleFetch)
    /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*`.
    case stick(StickCounterAction)
    /// `silent-drop`: the client connection is closed without a response
    /// (and without a FIN reaching it first: a reset).
    case silentDrop
    /// `tarpit [deny_status N]`: held for `timeout tarpit` (else `timeout
    /// connect`), then answered with the status (500 by default).
    case tarpit(status: Int)
    /// `cache-use NAME`: serve the request from cache NAME when it holds it
    /// (and compute the key `cache-store` needs).
    case cacheUse(String)
    /// `reject`: the connection is closed at once, nothing answered.
    case reject
    /// `normalize-uri NORMALIZER [full|strict]`.
    case normalizeURI(URINormalizer)
    /// `set-map|del-map|add-acl|del-acl(FILE) ...`.
    case patternFile(PatternFileAction)
    /// `wait-for-body time T [at-least N]`: the rules after it see the body.
    case waitForBody(WaitForBody)

    public static func == (a: HTTPRequestAction, b: HTTPRequestAction) -> Bool { String(describing: a) == String(describing: b) }
}

/// The services `http-request use-service` can name (HAProxy 2.6 with
/// USE_PROMEX knows only the Prometheus exporter; Lua services are `lua.*`).
public enum HTTPRequestService: String, Equatable, Sendable {
    case prometheusExporter = "prometheus-exporter"
}

/// Which end of the connection `set-src`/`set-dst`(`-port`) rewrites.
public enum ConnectionAddressField: String, Equatable, Sendable {
    case source = "set-src", sourcePort = "set-src-port", destination = "set-dst", destinationPort = "set-dst-port"
}

/// HAProxy 2.6's `http-request normalize-uri` normalizers.
public enum URINormalizer: Equatable, Sendable {
    /// `path-strip-dot`, `path-strip-dotdot [full]`, `path-merge-slashes`.
    case pathStripDot, pathStripDotDot(full: Bool), pathMergeSlashes
    /// `percent-decode-unreserved [strict]`, `percent-to-uppercase [strict]`.
    case percentDecodeUnreserved(strict: Bool), percentToUppercase(strict: Bool)
    /// `query-sort-by-name`, `fragment-strip`, `fragment-encode`.
    case querySortByName, fragmentStrip, fragmentEncode
}

public struct HTTPRequestRule: Equatable, Sendable {
    public var location: SourceLocation
    public var action: HTTPRequestAction
    public var condition: RuleCondition?
    public init(location: SourceLocation, action: HTTPRequestAction, condition: RuleCondition?) {
        self.location = location; self.action = action; self.condition = condition
    }
}

public enum HTTPResponseAction: Equatable, Sendable {
    case allow
    case deny(status: Int)
    case setHeader(name: String, value: LogFormat)
    case addHeader(name: String, value: LogFormat)
    case delHeader(name: String)
    case replaceHeader(name: String, regex: String, replacement: LogFormat)
    case replaceValue(name: String, regex: String, replacement: LogFormat)
    /// `capture SAMPLE id N`: the sample's value into response capture slot `slot`
    /// (`Frontend.logging.captures.response[slot]`).
    case capture(sample: LogFormat, slot: Int)
    /// `set-log-level LEVEL|silent`, as for requests.
    case setLogLevel(LogLevel?)
    case setVar(VariableName, SampleFetch)
    case setVarFormat(VariableName, LogFormat)
    case unsetVar(VariableName)
    /// `set-status CODE [reason TEXT]`.
    case setStatus(Int, reason: String?)
    /// `cache-store NAME`: keep the response in cache NAME when it may be.
    case cacheStore(String)
    /// `set-map|del-map|add-acl|del-acl(FILE) ...`.
    case patternFile(PatternFileAction)
    /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*` on the response (a key
    /// taken from it, a counter bumped by its status...).
    case stick(StickCounterAction)
    /// `wait-for-body time T [at-least N]`: the rules after it see the response body.
    case waitForBody(WaitForBody)
}

public struct HTTPResponseRule: Equatable, Sendable {
    public var location: SourceLocation
    public var action: HTTPResponseAction
    public var condition: RuleCondition?
    public init(location: SourceLocation, action: HTTPResponseAction, condition: RuleCondition?) {
        self.location = location; self.action = action; self.condition = condition
    }
}

/// `cookie NAME insert|rewrite|prefix [indirect] [nocache] [postonly]
/// [preserve] [httponly] [secure] [domain D]... [maxidle T] [maxlife T]`.
public struct CookieConfig: Equatable, Sendable {
    public enum Mode: String, Equatable, Sendable { case insert, rewrite, prefix }
    public var name: String
    public var mode: Mode
    public var indirect = false
    public var nocache = false
    public var postonly = false
    public var preserve = false
    public var httponly = false
    public var secure = false
    public var domains: [String] = []
    /// Seconds; nil: not set.
    public var maxidle: Int?
    public var maxlife: Int?
    /// `dynamic`: servers without a `cookie` value get one from the
    /// backend's `dynamic-cookie-key` (FulcrumCore's DynamicCookie).
    public var dynamic = false
    public init(name: String, mode: Mode) { self.name = name; self.mode = mode }
}

/// `option forwardfor [except NET] [header NAME] [if-none]`.
public struct ForwardFor: Equatable, Sendable {
    /// Clients in this network get no field; nil: none.
    public var except: IPNetwork?
    public var header = "X-Forwarded-For"
    public var ifNone = false
    public init() {}
}

/// `compression algo ... / type ... / offload`.
public struct CompressionConfig: Equatable, Sendable {
    public enum Algorithm: String, Equatable, Sendable { case gzip, deflate, rawDeflate = "raw-deflate", identity }
    public var algorithms: [Algorithm] = []
    /// MIME types (without parameters), lower case; empty: HAProxy's rule (compress any type? no:
    /// HAProxy compresses every type when none is listed).
    public var types: [String] = []
    public var offload = false
    public init() {}
}

/// An error page declared with `http-error`.
public struct HTTPErrorResponse: Equatable, Sendable {
    public var status: Int
    public var contentType: String?
    public var body: ResponseBody
    public init(status: Int, contentType: String?, body: ResponseBody) {
        self.status = status; self.contentType = contentType; self.body = body
    }
}

/// How a connection is handled on each side (the last `option http-*` wins, HAProxy's rules).
public enum HTTPConnectionMode: String, Equatable, Sendable {
    case keepAlive = "http-keep-alive", serverClose = "http-server-close", close = "httpclose"
}

public enum HTTPReuse: String, Equatable, Sendable { case never, safe, aggressive, always }

public struct UserlistUser: Equatable, Sendable {
    public var name: String
    /// `password HASH` (crypt(3)) or `insecure-password TEXT`.
    public var password: String
    public var insecure: Bool
    public var groups: [String]
    public init(name: String, password: String, insecure: Bool, groups: [String]) {
        self.name = name; self.password = password; self.insecure = insecure; self.groups = groups
    }
}

public struct Userlist: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var users: [UserlistUser] = []
    /// group name → member user names (from `group G users a,b` and users' `groups`).
    public var groups: [String: [String]] = [:]
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// Everything `mode http` adds to a proxy (frontend, backend, or both for listen).
public struct HTTPProxySettings: Equatable, Sendable {
    /// `dynamic-cookie-key KEY`: the secret `cookie ... dynamic` hashes.
    public var dynamicCookieKey: String? = nil
    /// Named ACLs in declaration order (several lines with one name are OR-ed).
    public var acls: [ACLDefinition] = []
    public var useBackends: [UseBackendRule] = []
    public var redirects: [RedirectRule] = []
    public var requestRules: [HTTPRequestRule] = []
    public var responseRules: [HTTPResponseRule] = []
    /// `http-after-response` rules: run on every response the proxy sends,
    /// the server's and its own (errors, redirects, the stats page).
    public var afterResponseRules: [HTTPResponseRule] = []
    public var connectionMode: HTTPConnectionMode = .keepAlive
    public var forwardFor: ForwardFor? = nil
    /// `option originalto [except NET] [header NAME]`: the address the client
    /// connected to, in X-Original-To (`header` defaults to that name here).
    public var originalTo: ForwardFor? = nil
    /// `http-send-name-header NAME`: the chosen server's name, set in this
    /// header of the request as it goes out (earlier ones removed).
    public var sendNameHeader: String? = nil
    public var acceptInvalidRequest = false
    public var compression = CompressionConfig()
    /// `errorfile CODE PATH`, `errorfiles NAME` and `http-error status N ...`:
    /// status → the file path or the inline response.
    public var errorFiles: [Int: String] = [:]
    /// `http-error status N [content-type T] [string S | file F]`: status →
    /// the response given inline (a status is in `errorFiles` or here, the
    /// last line for it wins).
    public var errorResponses: [Int: HTTPErrorResponse] = [:]
    /// `errorloc` / `errorloc302` / `errorloc303 CODE URL`: status → a redirect.
    public var errorRedirects: [Int: ErrorRedirect] = [:]
    /// `errorfiles NAME [CODE...]` not yet resolved (empty once parsed).
    public var errorFileSections: [ErrorFilesReference] = []
    // Backend side:
    public var cookie: CookieConfig? = nil
    public var reuse: HTTPReuse = .safe
    /// `retry-on` keywords; HAProxy's default is "connect-failure".
    public var retryOn: [String] = ["connect-failure"]
    /// `monitor-uri URI`: a request for exactly this URI (its path part when
    /// it starts with "/") is answered by the proxy itself, 200, before any
    /// http-request rule. Frontend side; inherited from defaults.
    public var monitorURI: String? = nil
    /// `monitor fail if|unless COND`, in order: the first that holds turns the
    /// monitor answer into a 503.
    public var monitorFail: [RuleCondition] = []
    public init() {}
}

/// `errorloc*`: an error answered with a redirect to `location`.
public struct ErrorRedirect: Equatable, Sendable {
    public var code: Int
    public var location: String
    public init(code: Int, location: String) { self.code = code; self.location = location }

    /// HAProxy's message for it (http_parse_errorloc), as it is sent.
    public var response: [UInt8] {
        Array("HTTP/1.1 \(code) \(code == 303 ? "See Other" : "Found")\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: \(location)\r\n\r\n".utf8)
    }
}

/// `errorfiles NAME [CODE...]` as written.
public struct ErrorFilesReference: Equatable, Sendable {
    public var section: String
    public var codes: [Int]
    public var location: SourceLocation
}
