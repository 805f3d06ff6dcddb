/// The ACL criteria Fulcrum evaluates, with HAProxy's default match method
/// for each (manual section 7.3), and HAProxy's predefined ACLs (7.4).
enum ACLCriteria {
    /// What a criterion's parenthesised argument is.
    enum Argument: Sendable, Equatable {
        /// `src`, `path`: no argument allowed.
        case none
        /// `hdr([NAME[,OCC]])`: a header name, optional.
        case optionalName
        /// `url_param(NAME)`, `req.cook(NAME)`: a name is required.
        case requiredName
        /// `http_auth(USERLIST)`: the name of a userlist section.
        case userlist
        /// `req.payload(OFFSET,LENGTH)`, `req.payload_lv(OFFSET1,LENGTH1[,OFFSET2])`:
        /// integers (the last may be signed: relative to the length field).
        case offsets(min: Int, max: Int)
    }

    struct Criterion: Sendable {
        /// The sample fetch the criterion reads (suffixes such as `_beg` removed).
        var fetch: String
        var method: MatchMethod
        var argument: Argument
    }

    /// Criterion keyword → fetch and default method.
    static let table: [String: Criterion] = {
        var t: [String: Criterion] = [:]
        // String fetches with HAProxy's derived keywords (path_beg, hdr_sub, ...).
        let derived: [(String, MatchMethod)] = [
            ("", .str), ("_beg", .beg), ("_end", .end), ("_sub", .sub), ("_dir", .dir),
            ("_dom", .dom), ("_reg", .reg), ("_len", .len),
        ]
        let strings: [(String, String, Argument)] = [
            ("path", "path", .none), ("url", "url", .none), ("base", "base", .none),
            ("hdr", "hdr", .optionalName), ("url_param", "url_param", .requiredName),
            ("urlp", "url_param", .requiredName), ("cook", "cook", .requiredName),
        ]
        for (keyword, fetch, argument) in strings {
            for (suffix, method) in derived {
                t[keyword + suffix] = Criterion(fetch: fetch, method: method, argument: argument)
            }
        }
        let others: [(String, Criterion)] = [
            // What the client's TLS handshake established (`bind ... ssl`).
            ("ssl_fc", Criterion(fetch: "ssl_fc", method: .bool, argument: .none)),
            ("ssl_fc_has_sni", Criterion(fetch: "ssl_fc_has_sni", method: .bool, argument: .none)),
            ("ssl_fc_session_reused", Criterion(fetch: "ssl_fc_session_reused", method: .bool, argument: .none)),
            ("ssl_fc_is_resumed", Criterion(fetch: "ssl_fc_session_reused", method: .bool, argument: .none)),
            ("ssl_fc_sni", Criterion(fetch: "ssl_fc_sni", method: .str, argument: .none)),
            ("ssl_fc_protocol", Criterion(fetch: "ssl_fc_protocol", method: .str, argument: .none)),
            ("ssl_fc_cipher", Criterion(fetch: "ssl_fc_cipher", method: .str, argument: .none)),
            ("ssl_fc_alpn", Criterion(fetch: "ssl_fc_alpn", method: .str, argument: .none)),
            ("ssl_fc_use_keysize", Criterion(fetch: "ssl_fc_use_keysize", method: .int, argument: .none)),
            ("ssl_fc_alg_keysize", Criterion(fetch: "ssl_fc_alg_keysize", method: .int, argument: .none)),
            ("ssl_c_used", Criterion(fetch: "ssl_c_used", method: .bool, argument: .none)),
            ("ssl_c_verify", Criterion(fetch: "ssl_c_verify", method: .int, argument: .none)),
            ("ssl_c_s_dn", Criterion(fetch: "ssl_c_s_dn", method: .str, argument: .none)),
            ("ssl_c_i_dn", Criterion(fetch: "ssl_c_i_dn", method: .str, argument: .none)),
            ("query", Criterion(fetch: "query", method: .str, argument: .none)),
            ("method", Criterion(fetch: "method", method: .str, argument: .none)),
            ("req.ver", Criterion(fetch: "req.ver", method: .str, argument: .none)),
            ("req_ver", Criterion(fetch: "req.ver", method: .str, argument: .none)),
            ("req.hdr", Criterion(fetch: "req.hdr", method: .str, argument: .optionalName)),
            ("req.fhdr", Criterion(fetch: "req.fhdr", method: .str, argument: .optionalName)),
            ("req.cook", Criterion(fetch: "req.cook", method: .str, argument: .requiredName)),
            ("hdr_cnt", Criterion(fetch: "hdr_cnt", method: .int, argument: .optionalName)),
            ("req.hdr_cnt", Criterion(fetch: "req.hdr_cnt", method: .int, argument: .optionalName)),
            ("hdr_val", Criterion(fetch: "hdr_val", method: .int, argument: .optionalName)),
            ("req.hdr_val", Criterion(fetch: "req.hdr_val", method: .int, argument: .optionalName)),
            ("hdr_ip", Criterion(fetch: "hdr_ip", method: .ip, argument: .optionalName)),
            ("req.hdr_ip", Criterion(fetch: "req.hdr_ip", method: .ip, argument: .optionalName)),
            ("cook_cnt", Criterion(fetch: "cook_cnt", method: .int, argument: .optionalName)),
            ("req.cook_cnt", Criterion(fetch: "req.cook_cnt", method: .int, argument: .optionalName)),
            ("cook_val", Criterion(fetch: "cook_val", method: .int, argument: .requiredName)),
            ("req.cook_val", Criterion(fetch: "req.cook_val", method: .int, argument: .requiredName)),
            ("src", Criterion(fetch: "src", method: .ip, argument: .none)),
            ("dst", Criterion(fetch: "dst", method: .ip, argument: .none)),
            ("src_port", Criterion(fetch: "src_port", method: .int, argument: .none)),
            ("dst_port", Criterion(fetch: "dst_port", method: .int, argument: .none)),
            ("http_auth", Criterion(fetch: "http_auth", method: .bool, argument: .userlist)),
            // The patterns of http_auth_group are group names, compared as strings.
            ("http_auth_group", Criterion(fetch: "http_auth_group", method: .str, argument: .userlist)),
            // TCP content inspection (mode tcp): what the client sent first.
            ("req.ssl_sni", Criterion(fetch: "req.ssl_sni", method: .str, argument: .none)),
            ("req_ssl_sni", Criterion(fetch: "req.ssl_sni", method: .str, argument: .none)),
            ("req.ssl_alpn", Criterion(fetch: "req.ssl_alpn", method: .str, argument: .none)),
            ("req.ssl_ver", Criterion(fetch: "req.ssl_ver", method: .int, argument: .none)),
            ("req_ssl_ver", Criterion(fetch: "req.ssl_ver", method: .int, argument: .none)),
            ("req.ssl_hello_type", Criterion(fetch: "req.ssl_hello_type", method: .int, argument: .none)),
            ("req_ssl_hello_type", Criterion(fetch: "req.ssl_hello_type", method: .int, argument: .none)),
            ("req.len", Criterion(fetch: "req.len", method: .int, argument: .none)),
            // The request body (option http-buffer-request); req.body matches 'bin' by default in HAProxy.
            ("req.body", Criterion(fetch: "req.body", method: .str, argument: .none)),
            ("req.body_len", Criterion(fetch: "req.body_len", method: .int, argument: .none)),
            ("req.body_size", Criterion(fetch: "req.body_size", method: .int, argument: .none)),
            ("req.body_param", Criterion(fetch: "req.body_param", method: .str, argument: .optionalName)),
            ("res.body", Criterion(fetch: "res.body", method: .str, argument: .none)),
            ("res.body_len", Criterion(fetch: "res.body_len", method: .int, argument: .none)),
            ("res.body_size", Criterion(fetch: "res.body_size", method: .int, argument: .none)),
            ("req_len", Criterion(fetch: "req.len", method: .int, argument: .none)),
            // HAProxy matches these with 'bin' by default, which Fulcrum refuses: '-m' is required.
            ("req.payload", Criterion(fetch: "req.payload", method: .str, argument: .offsets(min: 2, max: 2))),
            ("req.payload_lv", Criterion(fetch: "req.payload_lv", method: .str, argument: .offsets(min: 2, max: 3))),
            // What a mode tcp backend received from its server (tcp-response content).
            ("res.len", Criterion(fetch: "res.len", method: .int, argument: .none)),
            ("res.payload", Criterion(fetch: "res.payload", method: .str, argument: .offsets(min: 2, max: 2))),
            ("res.payload_lv", Criterion(fetch: "res.payload_lv", method: .str, argument: .offsets(min: 2, max: 3))),
            // Variables and constants; `var` has no default method (HAProxy's type 'any').
            ("var", Criterion(fetch: "var", method: .str, argument: .optionalName)),
            ("str", Criterion(fetch: "str", method: .str, argument: .optionalName)),
            ("int", Criterion(fetch: "int", method: .int, argument: .optionalName)),
            ("url_ip", Criterion(fetch: "url_ip", method: .ip, argument: .none)),
            ("url_port", Criterion(fetch: "url_port", method: .int, argument: .none)),
            ("pathq", Criterion(fetch: "pathq", method: .str, argument: .none)),
            ("status", Criterion(fetch: "status", method: .int, argument: .none)),
            ("res.hdr", Criterion(fetch: "res.hdr", method: .str, argument: .optionalName)),
            ("shdr", Criterion(fetch: "res.hdr", method: .str, argument: .optionalName)),
            ("res.fhdr", Criterion(fetch: "res.fhdr", method: .str, argument: .optionalName)),
            ("res.hdr_cnt", Criterion(fetch: "res.hdr_cnt", method: .int, argument: .optionalName)),
            ("shdr_cnt", Criterion(fetch: "res.hdr_cnt", method: .int, argument: .optionalName)),
            ("res.ver", Criterion(fetch: "res.ver", method: .str, argument: .none)),
            ("capture.req.method", Criterion(fetch: "capture.req.method", method: .str, argument: .none)),
            ("capture.req.uri", Criterion(fetch: "capture.req.uri", method: .str, argument: .none)),
            ("capture.req.ver", Criterion(fetch: "capture.req.ver", method: .str, argument: .none)),
            ("capture.res.ver", Criterion(fetch: "capture.res.ver", method: .str, argument: .none)),
            ("capture.req.hdr", Criterion(fetch: "capture.req.hdr", method: .str, argument: .optionalName)),
            ("capture.res.hdr", Criterion(fetch: "capture.res.hdr", method: .str, argument: .optionalName)),
            ("always_true", Criterion(fetch: "always_true", method: .bool, argument: .none)),
            ("always_false", Criterion(fetch: "always_false", method: .bool, argument: .none)),
        ]
        for (k, c) in others { t[k] = c }
        for (k, c) in StickFetchNames.criteria { t[k] = c }
        return t
    }()

    /// HAProxy criteria and sample fetches Fulcrum does not evaluate yet, so
    /// that they are told apart from misspellings.
    static let notServed: Set<String> = Set<String>([
        "ssl_fc", "ssl_fc_sni", "ssl_c_used", "ssl_c_verify", "ssl_fc_alpn", "ssl_fc_protocol", "req.ssl_sni",
        "req.ssl_hello_type", "req.ssl_ver", "req_ssl_sni", "req.len", "req_len", "req.payload", "req.rdp_cookie",
        "req.proto_http", "req_proto_http", "wait_end", "var", "sc_http_req_rate", "sc0_http_req_rate",
        "sc1_http_req_rate", "sc2_http_req_rate", "sc_conn_rate", "sc0_conn_rate", "src_conn_rate", "src_http_req_rate",
        "src_conn_cur", "sc0_conn_cur", "table_cnt", "nbsrv", "be_conn", "fe_conn", "connslots", "queue", "avg_queue",
        "srv_is_up", "env", "date", "rand", "url_ip", "url_port", "status", "res.hdr", "shdr", "res.cook", "scook",
        "capture.req.hdr", "capture.req.uri", "unique-id", "req.body", "req.body_param", "urlp_val", "url_param_val",
        "path_dom", "hdr_ip", "req.hdr_names", "res.ver", "so_id", "fe_id", "be_id", "srv_id", "be_name", "fe_name",
        "http_first_req", "base32", "base32+src", "ssl_c_s_dn", "ssl_c_sha1", "ipv4", "ipv6", "int", "str", "bool",
        "hdr_names", "req.fhdr_cnt", "lat_ns_avg", "cpu_calls", "stopping", "dst_conn", "fc_rtt", "src_is_local",
        "dst_is_local", "url32", "url32+src", "path,map", "req.cook_names", "req.hdrs", "req.hdrs_bin",
    ]).subtracting(Set(table.keys))

    /// HAProxy's predefined ACLs (manual 7.4) Fulcrum evaluates, as the
    /// definitions HAProxy gives them.
    static let predefined: [String: ACLDefinition] = {
        let here = SourceLocation(file: "<predefined>", line: 0)
        func acl(_ name: String, _ fetch: String, _ method: MatchMethod, _ patterns: [String], ignoreCase: Bool = false) -> ACLDefinition {
            var d = ACLDefinition(name: name, location: here, fetch: SampleFetch(name: fetch), method: method)
            d.patterns = patterns
            d.ignoreCase = ignoreCase
            return d
        }
        var p: [String: ACLDefinition] = [
            "TRUE": acl("TRUE", "always_true", .bool, []),
            "FALSE": acl("FALSE", "always_false", .bool, []),
            // Every request of an http proxy is HTTP.
            "HTTP": acl("HTTP", "always_true", .bool, []),
            "HTTP_1.0": acl("HTTP_1.0", "req.ver", .str, ["1.0"]),
            "HTTP_1.1": acl("HTTP_1.1", "req.ver", .str, ["1.1"]),
            "HTTP_CONTENT": acl("HTTP_CONTENT", "hdr_val", .int, ["gt 0"]),
            "HTTP_URL_ABS": acl("HTTP_URL_ABS", "url", .reg, ["^[^/:]*://"]),
            "HTTP_URL_SLASH": acl("HTTP_URL_SLASH", "url", .beg, ["/"]),
            "HTTP_URL_STAR": acl("HTTP_URL_STAR", "url", .str, ["*"]),
            "LOCALHOST": acl("LOCALHOST", "src", .ip, ["127.0.0.1/8", "::1"]),
            "REQ_CONTENT": acl("REQ_CONTENT", "req.len", .int, ["gt 0"]),
        ]
        p["HTTP_CONTENT"]?.fetch.arguments = ["content-length"]
        for m in ["CONNECT", "DELETE", "GET", "OPTIONS", "POST", "PUT", "TRACE"] {
            p["METH_" + m] = acl("METH_" + m, "method", .str, [m])
        }
        // HAProxy: METH_GET also matches HEAD.
        p["METH_GET"]?.patterns = ["GET", "HEAD"]
        p["METH_HEAD"] = acl("METH_HEAD", "method", .str, ["HEAD"])
        return p
    }()

    /// Predefined ACLs of HAProxy that need what Fulcrum's HTTP engine does
    /// not have (TCP content inspection, HTTP/2, RDP).
    static let predefinedNotServed: Set<String> = ["WAIT_END", "RDP_COOKIE", "HTTP_2.0"]
}

extension ACLDefinition {
    /// HAProxy's predefined ACLs that Fulcrum evaluates (`METH_GET`,
    /// `HTTP_1.1`, `LOCALHOST`, ...), as ordinary definitions, so that an
    /// evaluator can treat `.named("METH_GET")` like any declared ACL.
    public static var predefined: [String: ACLDefinition] { ACLCriteria.predefined }
}

extension SampleFetch {
    /// Every fetch name the parser puts in an `ACLDefinition` or a
    /// `LogFormat` sample: what an evaluator has to implement.
    public static var parsedNames: Set<String> {
        Set(ACLCriteria.table.values.map(\.fetch)).union(LogFormatParsing.servedFetches.values)
    }
}
