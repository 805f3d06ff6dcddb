import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// A sample fetch resolved once (name and arguments checked) so that
/// evaluating it per request is a switch, not string comparisons.
public enum HTTPFetch: Sendable, Equatable {
    case path, pathq, query, url, base
    /// `url_param(name[,delim])` / `urlp`: nil name = every parameter.
    case urlParam(name: String?, delimiter: UInt8)
    /// `hdr`, `req.hdr`, `res.hdr`, `shdr` (comma-split values) and the `fhdr`
    /// forms (`full`: whole lines). `occurrence` as HAProxy's `occ` (1 first,
    /// -1 last); nil: every value in ACLs, the last one as a sample.
    case header(name: String?, occurrence: Int?, full: Bool, response: Bool)
    case headerCount(name: String?, full: Bool, response: Bool)
    case method
    case requestVersion, responseVersion, status
    /// `capture.req.method|uri|ver`, `capture.res.ver`: the start lines as
    /// they arrived (rewrites by set-method, set-uri... not seen).
    case captured(CapturedLinePart)
    /// `capture.req.hdr(N)`, `capture.res.hdr(N)`: capture slot N.
    case capturedSlot(Int, response: Bool)
    case source, sourcePort, destination, destinationPort
    /// `req.cook` / `cook` / `res.cook` / `scook`: every value in ACLs, the last as a sample.
    case cookie(name: String?, response: Bool)
    case cookieCount(name: String?, response: Bool)
    /// `http_auth(userlist)`: boolean; `http_auth_group(userlist)`: the groups
    /// of the authenticated user (patterns are group names).
    case httpAuth(userlist: String)
    case httpAuthGroup(userlist: String)
    case httpAuthUser, httpAuthPass
    case constant(Bool)
    /// What the client connection's TLS handshake established.
    case tls(TLSFetch)
    /// What a mode tcp stream received so far (TCP content inspection):
    /// from the client (`req.*`), or from the server (`res.*`); the
    /// direction a rule set does not inspect reads as empty, as haproxy's
    /// buffer of that direction is at that point.
    case payload(PayloadFetch, response: Bool)
    /// `var(SCOPE.NAME[,DEFAULT])`: the variable, or the default (a string).
    case variable(VariableRef, default: [UInt8]?)
    /// `str(TEXT)`, `int(N)`: constants.
    case constantBytes([UInt8])
    case constantInteger(Int64)
    /// `url_ip`, `url_port`: the IPv4 address and port of an absolute
    /// http:// or https:// request target (HAProxy's url2sa).
    case urlIP, urlPort
    /// `sc_*`, `scN_*`, `src_*`: the stream's stick counters.
    case stick(StickFetch)
    /// `req.body`, `req.body_len`, `req.body_size`, `req.body_param([name])`.
    case body(BodyFetch)
    /// `res.body*`: what `http-response wait-for-body` let the rules see.
    case responseBody(BodyFetch)

    /// Resolves a fetch as written (suffixed ACL criteria like `path_beg` or
    /// `hdr_dom(host)` map to their base fetch); throws on unknown names or
    /// bad arguments.
    public init(_ f: SampleFetch) throws {
        var name = f.name
        if HTTPFetch.base(name, f.arguments) == nil {
            for suffix in ["_beg", "_end", "_sub", "_reg", "_dir", "_dom", "_len", "_str", "_found"] where name.hasSuffix(suffix) {
                let stem = String(name.dropLast(suffix.count))
                if HTTPFetch.base(stem, f.arguments) != nil { name = stem; break }
            }
        }
        guard let resolved = HTTPFetch.base(name, f.arguments) else {
            throw HTTPRulesError("unknown sample fetch '\(f.name)'")
        }
        self = try resolved()
    }

    private static func base(_ name: String, _ args: [String]) -> (() throws -> HTTPFetch)? {
        func noArgs(_ v: HTTPFetch) -> () throws -> HTTPFetch {
            { guard args.isEmpty else { throw HTTPRulesError("fetch '\(name)' takes no argument") }; return v }
        }
        func optName() -> String? { args.first.flatMap { $0.isEmpty ? nil : $0 } }
        if PayloadFetch.names.contains(name) {
            return { .payload(try PayloadFetch(name: name, arguments: args), response: name.hasPrefix("res.")) }
        }
        if StickFetchNames.all.contains(name) {
            return {
                guard let f = try StickFetch(name: name, arguments: args) else { throw HTTPRulesError("unknown sample fetch '\(name)'") }
                return .stick(f)
            }
        }
        func occ() throws -> Int? {
            guard args.count >= 2 else { return nil }
            guard args.count == 2, let n = Int(args[1]) else { throw HTTPRulesError("fetch '\(name)': bad occurrence '\(args.dropFirst().joined(separator: ","))'") }
            return n
        }
        func needName(_ what: String) throws -> String {
            guard args.count == 1, !args[0].isEmpty else { throw HTTPRulesError("fetch '\(name)' needs one argument: \(what)") }
            return args[0]
        }
        switch name {
        case "path": return noArgs(.path)
        case "pathq": return noArgs(.pathq)
        case "query": return noArgs(.query)
        case "url", "req.url": return noArgs(.url)
        case "base": return noArgs(.base)
        case "url_param", "urlp":
            return {
                guard args.count <= 2 else { throw HTTPRulesError("fetch '\(name)' takes at most 2 arguments") }
                var delim: UInt8 = UInt8(ascii: "&")
                if args.count == 2 {
                    guard args[1].utf8.count == 1 else { throw HTTPRulesError("fetch '\(name)': the delimiter is one character") }
                    delim = args[1].utf8.first!
                }
                return .urlParam(name: optName(), delimiter: delim)
            }
        case "hdr", "req.hdr", "hdr_val", "req.hdr_val", "hdr_ip", "req.hdr_ip":
            return { .header(name: optName(), occurrence: try occ(), full: false, response: false) }
        case "req.fhdr": return { .header(name: optName(), occurrence: try occ(), full: true, response: false) }
        case "res.hdr", "shdr", "res.hdr_val", "shdr_val", "res.hdr_ip", "shdr_ip":
            return { .header(name: optName(), occurrence: try occ(), full: false, response: true) }
        case "res.fhdr": return { .header(name: optName(), occurrence: try occ(), full: true, response: true) }
        case "hdr_cnt", "req.hdr_cnt": return { .headerCount(name: optName(), full: false, response: false) }
        case "req.fhdr_cnt": return { .headerCount(name: optName(), full: true, response: false) }
        case "res.hdr_cnt", "shdr_cnt": return { .headerCount(name: optName(), full: false, response: true) }
        case "res.fhdr_cnt": return { .headerCount(name: optName(), full: true, response: true) }
        case "method": return noArgs(.method)
        case "req.ver", "req_ver": return noArgs(.requestVersion)
        case "res.ver", "resp_ver": return noArgs(.responseVersion)
        case "status": return noArgs(.status)
        case "capture.req.method": return noArgs(.captured(.method))
        case "capture.req.uri": return noArgs(.captured(.uri))
        case "capture.req.ver": return noArgs(.captured(.requestVersion))
        case "capture.res.ver": return noArgs(.captured(.responseVersion))
        case "capture.req.hdr", "capture.res.hdr":
            return {
                guard args.count == 1, let n = Int(args[0]), n >= 0 else { throw HTTPRulesError("fetch '\(name)' expects a capture slot number") }
                return .capturedSlot(n, response: name == "capture.res.hdr")
            }
        case "src": return noArgs(.source)
        case "src_port": return noArgs(.sourcePort)
        case "dst": return noArgs(.destination)
        case "dst_port": return noArgs(.destinationPort)
        case "cook", "req.cook", "cook_val", "req.cook_val": return { .cookie(name: optName(), response: false) }
        case "res.cook", "scook", "res.cook_val", "scook_val": return { .cookie(name: optName(), response: true) }
        case "cook_cnt", "req.cook_cnt": return { .cookieCount(name: optName(), response: false) }
        case "res.cook_cnt", "scook_cnt": return { .cookieCount(name: optName(), response: true) }
        case "http_auth": return { .httpAuth(userlist: try needName("a userlist")) }
        case "http_auth_group": return { .httpAuthGroup(userlist: try needName("a userlist")) }
        case "http_auth_user": return noArgs(.httpAuthUser)
        case "http_auth_pass": return noArgs(.httpAuthPass)
        case "var":
            return {
                guard let first = args.first, args.count <= 2 else { throw HTTPRulesError("fetch 'var' expects a variable name and an optional default") }
                guard let n = VariableName(first) else { throw HTTPRulesError("invalid variable name '\(first)'") }
                return .variable(VariableRef(n), default: args.count == 2 ? Array(args[1].utf8) : nil)
            }
        case "str":
            return {
                guard args.count == 1 else { throw HTTPRulesError("fetch 'str' expects one string") }
                return .constantBytes(Array(args[0].utf8))
            }
        case "int":
            return {
                guard args.count == 1, let v = Int64(args[0]) else { throw HTTPRulesError("fetch 'int' expects an integer") }
                return .constantInteger(v)
            }
        case "req.body": return noArgs(.body(.bytes))
        case "req.body_len": return noArgs(.body(.length))
        case "req.body_size": return noArgs(.body(.size))
        case "res.body": return noArgs(.responseBody(.bytes))
        case "res.body_len": return noArgs(.responseBody(.length))
        case "res.body_size": return noArgs(.responseBody(.size))
        case "req.body_param":
            return {
                guard args.count <= 1 else { throw HTTPRulesError("fetch 'req.body_param' takes at most one argument") }
                return .body(.parameter(name: optName()))
            }
        case "url_ip": return noArgs(.urlIP)
        case "url_port": return noArgs(.urlPort)
        case "always_true", "req.proto_http", "req_proto_http": return noArgs(.constant(true))
        case "always_false": return noArgs(.constant(false))
        // HAProxy's name; `ssl_fc_session_reused` is Fulcrum's older one.
        case "ssl_fc_is_resumed": return noArgs(.tls(.sessionReused))
        case let n where TLSFetch(rawValue: n) != nil: return noArgs(.tls(TLSFetch(rawValue: n)!))
        default: return nil
        }
    }
}

/// HAProxy's `ssl_fc*` / `ssl_c_*` fetches on the client connection.
public enum TLSFetch: String, Sendable, Equatable {
    case fc = "ssl_fc", hasSNI = "ssl_fc_has_sni", sessionReused = "ssl_fc_session_reused", sni = "ssl_fc_sni"
    case protocolName = "ssl_fc_protocol", cipher = "ssl_fc_cipher", alpn = "ssl_fc_alpn"
    case useKeySize = "ssl_fc_use_keysize", algorithmKeySize = "ssl_fc_alg_keysize"
    case clientCertificateUsed = "ssl_c_used", clientVerify = "ssl_c_verify"
    case clientSubject = "ssl_c_s_dn", clientIssuer = "ssl_c_i_dn"
}

/// What a `req.body*` fetch returns of the buffered request body.
public enum BodyFetch: Sendable, Equatable {
    case bytes, length, size
    /// The value of a form parameter (`name=value&...`); nil name: any.
    case parameter(name: String?)
}

/// Which part of a start line a `capture.*` fetch returns.
public enum CapturedLinePart: Sendable, Equatable {
    case method, uri, requestVersion, responseVersion
}
