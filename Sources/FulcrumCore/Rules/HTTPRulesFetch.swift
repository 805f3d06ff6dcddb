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

    /// True for fetches whose sample is a boolean (`-m bool` by default).
    var isBoolean: Bool {
        switch self {
        case .httpAuth, .constant: return true
        default: return false
        }
    }

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
        case "always_true", "req.proto_http", "req_proto_http": return noArgs(.constant(true))
        case "always_false": return noArgs(.constant(false))
        default: return nil
        }
    }
}

/// Extracts samples from a request/response, as HAProxy's fetches do.
public enum SampleFetcher {
    /// Every value the fetch yields (what an ACL matches against), in order;
    /// empty when the sample is missing. `acls` supplies the userlists for
    /// `http_auth*`. Throws nothing: unknown fetches yield no value (use
    /// `HTTPFetch(_:)` at load time to reject them).
    public static func fetch(_ f: SampleFetch, context: HTTPRuleContext, acls: ACLSet? = nil) -> [String] {
        guard let compiled = try? HTTPFetch(f) else { return [] }
        return values(compiled, context: context, acls: acls)
    }

    /// The single value HAProxy uses where one sample is expected (log-format,
    /// dynamic backend names): the last header/cookie occurrence unless an
    /// occurrence is given, the first value otherwise. nil: missing.
    public static func single(_ f: HTTPFetch, context: HTTPRuleContext, acls: ACLSet? = nil) -> String? {
        switch f {
        case .header(let name, nil, let full, let response):
            return values(.header(name: name, occurrence: -1, full: full, response: response), context: context, acls: acls).first
        case .cookie:
            return values(f, context: context, acls: acls).last
        default:
            return values(f, context: context, acls: acls).first
        }
    }

    public static func values(_ f: HTTPFetch, context: HTTPRuleContext, acls: ACLSet?) -> [String] {
        if context.responsePhase {
            switch f {
            case .path, .pathq, .query, .url, .base, .urlParam, .method, .requestVersion,
                 .httpAuth, .httpAuthGroup, .httpAuthUser, .httpAuthPass:
                return []
            case .header(let name, let occ, let full, false):
                return values(.header(name: name, occurrence: occ, full: full, response: true), context: context, acls: acls)
            case .headerCount(let name, let full, false):
                return values(.headerCount(name: name, full: full, response: true), context: context, acls: acls)
            case .cookie(let name, false):
                return values(.cookie(name: name, response: true), context: context, acls: acls)
            case .cookieCount(let name, false):
                return values(.cookieCount(name: name, response: true), context: context, acls: acls)
            default:
                break
            }
        }
        let req = context.request
        switch f {
        case .path:
            guard let p = HTTPURI.path(req.target) else { return [] }
            return [string(HTTPURI.beforeQuery(p))]
        case .pathq:
            guard let p = HTTPURI.path(req.target) else { return [] }
            return [string(p)]
        case .query:
            let t = req.target
            guard let q = t.firstIndex(of: UInt8(ascii: "?")) else { return [] }
            return [string(t[(q + 1)...])]
        case .url:
            return [req.targetString]
        case .base:
            let path = HTTPURI.path(req.target).map(HTTPURI.beforeQuery)
            if let host = headerValues(req, "host", full: false).first, !host.isEmpty {
                return [host + (path.map(string) ?? "")]
            }
            guard let path else { return [] }
            return [string(path)]
        case .urlParam(let name, let delimiter):
            return HTTPURI.urlParams(req.target, name: name, delimiter: delimiter)
        case .header(let name, let occ, let full, let response):
            guard let head = response ? context.response : req else { return [] }
            let all = name.map { headerValues(head, $0, full: full) } ?? allHeaderValues(head, full: full)
            guard let occ else { return all }
            let idx = occ > 0 ? occ - 1 : all.count + occ
            return all.indices.contains(idx) ? [all[idx]] : []
        case .headerCount(let name, let full, let response):
            guard let head = response ? context.response : req else { return [] }
            let all = name.map { headerValues(head, $0, full: full) } ?? allHeaderValues(head, full: full)
            return [String(all.count)]
        case .method:
            return [req.methodString]
        case .requestVersion:
            return [versionString(req)]
        case .responseVersion:
            guard let res = context.response else { return [] }
            return [versionString(res)]
        case .status:
            guard let res = context.response else { return [] }
            return [String(res.status)]
        case .source: return [context.connection.source.address.description]
        case .sourcePort: return [String(context.connection.source.port)]
        case .destination: return [context.connection.destination.address.description]
        case .destinationPort: return [String(context.connection.destination.port)]
        case .cookie(let name, let response):
            guard let head = response ? context.response : req else { return [] }
            return cookies(head, response: response).filter { name == nil || $0.name == name }.map(\.value)
        case .cookieCount(let name, let response):
            guard let head = response ? context.response : req else { return [] }
            return [String(cookies(head, response: response).filter { name == nil || $0.name == name }.count)]
        case .httpAuth(let userlist):
            guard let acls, let ul = acls.userlists[userlist] else { return ["0"] }
            return [HTTPBasicAuth.authenticate(req, userlist: ul, crypt: acls.crypt) != nil ? "1" : "0"]
        case .httpAuthGroup(let userlist):
            guard let acls, let ul = acls.userlists[userlist],
                  let user = HTTPBasicAuth.authenticate(req, userlist: ul, crypt: acls.crypt) else { return [] }
            return HTTPBasicAuth.groups(of: user, in: ul)
        case .httpAuthUser:
            return HTTPBasicAuth.credentials(req).map { [$0.user] } ?? []
        case .httpAuthPass:
            return HTTPBasicAuth.credentials(req).map { [$0.password] } ?? []
        case .constant(let b):
            return [b ? "1" : "0"]
        }
    }

    // MARK: helpers

    @inline(__always)
    static func string<C: Collection>(_ b: C) -> String where C.Element == UInt8 { String(decoding: b, as: UTF8.self) }

    static func versionString(_ h: HTTPHead) -> String { h.version == .http10 ? "1.0" : "1.1" }

    /// Values of a header: whole lines (`full`) or split on commas outside
    /// quotes, trimmed, as HAProxy's `hdr` vs `fhdr`.
    static func headerValues(_ head: HTTPHead, _ name: String, full: Bool) -> [String] {
        var out: [String] = []
        for v in head.values(of: name) {
            if full { out.append(string(v.trimmingBlanks())) } else { for e in v.listElements() { out.append(string(e)) } }
        }
        return out
    }

    static func allHeaderValues(_ head: HTTPHead, full: Bool) -> [String] {
        var out: [String] = []
        var lines: [ArraySlice<UInt8>] = head.fields.filter { !$0.removed }.map { head.raw[$0.value] }
        lines += head.added.map { $0.value[...] }
        for v in lines {
            if full { out.append(string(v.trimmingBlanks())) } else { for e in v.listElements() { out.append(string(e)) } }
        }
        return out
    }

    /// (name, value) pairs of the Cookie headers (request) or of the first
    /// pair of each Set-Cookie header (response).
    static func cookies(_ head: HTTPHead, response: Bool) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        for line in head.values(of: response ? "set-cookie" : "cookie") {
            for item in line.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
                let t = item.trimmingBlanks()
                guard !t.isEmpty else { continue }
                if let eq = t.firstIndex(of: UInt8(ascii: "=")) {
                    out.append((string(t[..<eq].trimmingBlanks()), string(t[(eq + 1)...].trimmingBlanks())))
                } else {
                    out.append((string(t), ""))
                }
                if response { break }
            }
        }
        return out
    }
}

/// Request-target parsing shared by fetches, redirects and hash keys.
enum HTTPURI {
    /// HAProxy's http_get_path: the target from its path on (query included);
    /// nil for "*" or an absolute URI without a path.
    static func path(_ t: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let first = t.first else { return nil }
        if first == UInt8(ascii: "/") { return t }
        // absolute-form: scheme "://" authority path
        var i = t.startIndex
        while i < t.endIndex, t[i] != UInt8(ascii: ":") {
            let c = t[i]
            let ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (i > t.startIndex && ((c >= 48 && c <= 57) || c == 43 || c == 45 || c == 46))
            if !ok { return nil }
            i += 1
        }
        guard t[i...].starts(with: [58, 47, 47]) else { return nil }
        i += 3
        while i < t.endIndex, t[i] != UInt8(ascii: "/") { i += 1 }
        return i < t.endIndex ? t[i...] : nil
    }

    static func beforeQuery(_ p: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        p.firstIndex(of: UInt8(ascii: "?")).map { p[..<$0] } ?? p
    }

    /// Values of `name` (every parameter when nil) in the query string.
    static func urlParams(_ t: ArraySlice<UInt8>, name: String?, delimiter: UInt8) -> [String] {
        guard let q = t.firstIndex(of: UInt8(ascii: "?")) else { return [] }
        let want = name.map { Array($0.utf8) }
        var out: [String] = []
        for item in t[(q + 1)...].split(separator: delimiter, omittingEmptySubsequences: true) {
            let eq = item.firstIndex(of: UInt8(ascii: "="))
            let key = eq.map { item[..<$0] } ?? item
            if let want, !key.elementsEqual(want) { continue }
            out.append(SampleFetcher.string(eq.map { item[($0 + 1)...] } ?? item[item.endIndex...]))
        }
        return out
    }
}
