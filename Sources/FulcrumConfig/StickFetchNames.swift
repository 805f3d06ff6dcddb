/// The stick counter fetches Fulcrum evaluates: `sc_X(N[,TABLE])`,
/// `scN_X([TABLE])` and `src_X([TABLE])` for each X below (HAProxy 2.6,
/// manual 7.3.3), usable in ACLs and samples.
public enum StickFetchNames {
    /// X → what it reads; the ones taking an array index first (`get_gpc`,
    /// `gpc_rate`, `get_gpt`) have it before the counter.
    public static let suffixes: [String] = [
        "http_req_rate", "http_req_cnt", "http_err_rate", "http_err_cnt", "http_fail_rate", "http_fail_cnt",
        "conn_rate", "conn_cnt", "conn_cur", "sess_rate", "sess_cnt", "bytes_in_rate", "bytes_out_rate",
        "kbytes_in", "kbytes_out", "get_gpc0", "get_gpc1", "gpc0_rate", "gpc1_rate", "get_gpt0",
        "inc_gpc0", "inc_gpc1", "clr_gpc0", "clr_gpc1", "get_gpc", "gpc_rate", "get_gpt", "inc_gpc", "clr_gpc",
        "tracked", "trackers",
    ]

    /// Every fetch name (`sc_http_req_rate`, `sc0_http_req_rate`, `src_http_req_rate`, ...).
    public static let all: Set<String> = {
        var out: Set<String> = []
        for s in suffixes {
            for p in ["sc_", "sc0_", "sc1_", "sc2_"] { out.insert(p + s) }
            if s != "tracked" && s != "trackers" { out.insert("src_" + s) }
        }
        // The table's own counts: entries in use and room left.
        out.formUnion(["table_cnt", "table_avl"])
        return out
    }()

    /// ACL criteria: integers, `*_tracked` a boolean.
    static var criteria: [(String, ACLCriteria.Criterion)] {
        all.map { ($0, ACLCriteria.Criterion(fetch: $0, method: $0.hasSuffix("_tracked") ? .bool : .int, argument: .optionalName)) }
    }
}
