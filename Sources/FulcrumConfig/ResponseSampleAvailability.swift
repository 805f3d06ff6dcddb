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
