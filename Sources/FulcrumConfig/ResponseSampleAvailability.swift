/// Which sample fetches read what only the request has, so that a rule
/// evaluated on the response cannot use them: HAProxy 2.6 refuses such a
/// rule at load ("fetch method 'path' extracts information from 'HTTP
/// request headers', none of which is available here") instead of letting
/// it match nothing at run time.
public enum ResponseSampleAvailability {
    /// HAProxy's name of what `fetch` reads when that is request-only, else
    /// nil. `hdr`, `cook`, `method` and `capture.req.*` are not here:
    /// HAProxy takes the first two from the response in response rules and
    /// keeps the others for the whole transaction.
    public static func requestOnlySource(_ fetch: String) -> String? {
        if requestHeaderFetches.contains(fetch) { return "HTTP request headers" }
        if requestBufferFetches.contains(fetch) { return "request buffer" }
        return nil
    }

    static let requestHeaderFetches: Set<String> = [
        "path", "pathq", "url", "req.url", "query", "base", "base32", "base32+src", "url32", "url32+src",
        "req.hdr", "req.fhdr", "hdr_cnt", "req.hdr_cnt", "req.fhdr_cnt", "req.hdr_val", "req.hdr_ip", "req.hdrs", "req.hdrs_bin",
        "req.hdr_names", "cook", "req.cook", "cook_cnt", "req.cook_cnt", "cook_val", "req.cook_val", "req.cook_names",
        "urlp", "url_param", "urlp_val", "url_param_val", "url_ip", "url_port", "req.ver", "req_ver",
        "http_auth", "http_auth_group", "http_auth_user", "http_auth_pass", "http_auth_type",
        "req.body", "req.body_param", "req.body_len", "req.body_size",
    ]
    static let requestBufferFetches: Set<String> = [
        "req.len", "req_len", "req.payload", "req.payload_lv", "req_ssl_sni", "req.ssl_sni", "req_ssl_ver", "req.ssl_ver",
        "req.ssl_hello_type", "req_ssl_hello_type", "req.ssl_ec_ext", "req.ssl_st_ext", "req.ssl_alpn", "req.rdp_cookie",
        "rdp_cookie", "req.rdp_cookie_cnt", "rdp_cookie_cnt", "req.proto_http", "req_proto_http",
    ]
}

extension ParseSession {
    /// An `http-response` / `http-after-response` action (named in `display`) reads
    /// nothing only the request has, else HAProxy's alert: "fetch method"
    /// for a sample expression, "sample fetch <REST>" for a log-format
    /// string (REST: the format from that fetch on, as HAProxy prints it).
    mutating func responseSamplesAvailable(_ action: HTTPResponseAction, display: String, draft index: Int,
                                           at location: SourceLocation) -> Bool {
        func fetch(_ sample: SampleFetch, written: String? = nil) -> Bool {
            guard let source = ResponseSampleAvailability.requestOnlySource(sample.name) else { return true }
            let text = written ?? sample.name + (sample.arguments.isEmpty ? "" : "(\(sample.arguments.joined(separator: ",")))")
            alert(location, "error detected in \(drafts[index].haproxyLabel) while parsing '\(display)' rule : fetch method '\(text)' extracts information from '\(source)', none of which is available here.")
            return false
        }
        func format(_ lf: LogFormat) -> Bool {
            for case .sample(let sample) in lf.parts {
                guard let source = ResponseSampleAvailability.requestOnlySource(sample.name) else { continue }
                let text = Array(lf.text.utf8), needle = Array(("%[" + sample.name).utf8)
                var rest = sample.name + "]"
                if let at = text.indices.first(where: { text[$0...].starts(with: needle) }) {
                    rest = String(decoding: text[(at + 2)...], as: UTF8.self)
                }
                alert(location, "error detected in \(drafts[index].haproxyLabel) while parsing '\(display)' rule : sample fetch <\(rest)> may not be reliably used here because it needs '\(source)' which is not available here.")
                return false
            }
            return true
        }
        switch action {
        case .setHeader(_, let lf), .addHeader(_, let lf), .replaceHeader(_, _, let lf), .replaceValue(_, _, let lf), .setVarFormat(_, let lf):
            return format(lf)
        case .capture(let lf, _):
            for case .sample(let sample) in lf.parts where !fetch(sample) { return false }
            return true
        case .setVar(let name, let sample):
            // HAProxy names the action where the fetch belongs.
            return fetch(sample, written: "set-var(\(name))")
        case .stick(.track(_, let key, _)): return fetch(key)
        case .stick(.setGPT(_, _, _, let value)): return fetch(value)
        default: return true
        }
    }
}
