import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// Redirect responses (`redirect` and `http-request redirect`) as HAProxy
/// 2.6's http_apply_redirect_rule builds them.
public enum HTTPRedirect {
    /// The Location value: `location` is the expanded value; `prefix` puts the
    /// value before the request's path (a prefix of "/" adds nothing);
    /// `scheme` builds SCHEME://HOST/PATH from the Host field. drop-query cuts
    /// the query, append-slash adds "/" when the result does not end with one.
    public static func location(_ rule: RedirectRule, context: HTTPRuleContext, acls: ACLSet? = nil) -> String {
        guard let value = try? CompiledLogFormat(rule.value) else { return "" }
        return location(rule, value: value, context: context, acls: acls)
    }

    static func location(_ rule: RedirectRule, value format: CompiledLogFormat, context: HTTPRuleContext, acls: ACLSet?) -> String {
        let value = format.string(context: context, acls: acls)
        if rule.kind == .location { return value }
        let t = context.request.target, target = HTTPTarget(t)
        // HAProxy's http_get_path: without a path (authority, "*"), "/".
        let path = target.path.isEmpty ? "/" : String(decoding: t[rule.dropQuery ? target.path : target.pathAndQuery], as: UTF8.self)
        var out: String
        if rule.kind == .prefix {
            out = (value == "/" ? "" : value) + path
        } else {
            var host: ArraySlice<UInt8> = []
            for v in context.request.fieldValues(named: "host") { host = v.trimmingBlanks(); break }
            out = value + "://" + String(decoding: host, as: UTF8.self) + path
        }
        if rule.appendSlash, !out.isEmpty, !out.hasSuffix("/") { out += "/" }
        return out
    }

    static func statusLine(_ code: Int) -> (Int, String) {
        switch code {
        case 301: return (301, "Moved Permanently")
        case 303: return (303, "See Other")
        case 307: return (307, "Temporary Redirect")
        case 308: return (308, "Permanent Redirect")
        default: return (302, "Found")
        }
    }

    /// The complete response: status line, content-length: 0, location,
    /// cache-control: no-cache for the non-permanent codes (302/303/307),
    /// then the connection field for the client.
    public static func response(_ rule: RedirectRule, context: HTTPRuleContext, acls: ACLSet? = nil,
                                mode: HTTPConnectionMode = .keepAlive) -> [UInt8] {
        responseAndClose(rule, context: context, acls: acls, mode: mode).bytes
    }

    /// The response and whether the client connection closes after it.
    public static func responseAndClose(_ rule: RedirectRule, context: HTTPRuleContext, acls: ACLSet?,
                                        mode: HTTPConnectionMode) -> (bytes: [UInt8], close: Bool) {
        guard let value = try? CompiledLogFormat(rule.value) else { return ([], true) }
        return responseAndClose(rule, value: value, context: context, acls: acls, mode: mode)
    }

    static func responseAndClose(_ rule: RedirectRule, value: CompiledLogFormat, context: HTTPRuleContext, acls: ACLSet?,
                                 mode: HTTPConnectionMode) -> (bytes: [UInt8], close: Bool) {
        let (code, reason) = statusLine(rule.code)
        let location = location(rule, value: value, context: context, acls: acls)
        var head = "HTTP/1.1 \(code) \(reason)\r\ncontent-length: 0\r\nlocation: \(location)\r\n"
        if code == 302 || code == 303 || code == 307 { head += "cache-control: no-cache\r\n" }
        let conn = HTTPGeneratedResponse.connection(for: context.request, mode: mode)
        if let f = conn.field { head += "connection: \(f)\r\n" }
        return (Array((head + "\r\n").utf8), conn.close)
    }
}
