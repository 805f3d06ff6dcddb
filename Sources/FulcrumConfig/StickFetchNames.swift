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

    /// The suffixes whose first argument is an array index.
    static let arraySuffixes: Set<String> = ["get_gpc", "gpc_rate", "get_gpt", "inc_gpc", "clr_gpc"]

    /// Every fetch name (`sc_http_req_rate`, `sc0_http_req_rate`, `src_http_req_rate`, ...).
    /// HAProxy 2.6 registers the array forms under `scN_` only for
    /// `sc1_clr_gpc`; the others are unknown there, and here.
    public static let all: Set<String> = {
        var out: Set<String> = []
        for s in suffixes {
            for p in ["sc_", "sc0_", "sc1_", "sc2_"] where !arraySuffixes.contains(s) || p == "sc_" || p + s == "sc1_clr_gpc" {
                out.insert(p + s)
            }
            if s != "tracked" && s != "trackers" { out.insert("src_" + s) }
        }
        // The table's own counts: entries in use and room left.
        out.formUnion(["table_cnt", "table_avl"])
        return out
    }()

    /// HAProxy 2.6's words for a stick counter fetch it refuses: an array
    /// form it does not register (`sc1_get_gpt`), or one missing an argument
    /// its keyword table marks mandatory (the index and counter of `sc_*`,
    /// the index and table of `src_*`, the index of `sc1_clr_gpc`); nil when
    /// it takes the call (or the name is no stick counter fetch).
    public static func refusal(_ name: String, arguments: [String]) -> String? {
        // `f()` passes no argument.
        let argumentCount = arguments == [""] ? 0 : arguments.count
        let parts = name.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, arraySuffixes.contains(String(parts[1])) else {
            guard name.hasPrefix("sc_"), all.contains(name), argumentCount == 0 else { return nil }
            return "fetch method '\(name)' : expected type 'integer' at position 1, but got nothing"
        }
        guard all.contains(name) else {
            return ["sc0", "sc1", "sc2"].contains(parts[0]) ? "unknown fetch method '\(name)'" : nil
        }
        // (mandatory count, the type of the first missing one after the index)
        let mandatory: (Int, String)
        switch parts[0] {
        case "sc": mandatory = (2, "integer")
        case "src": mandatory = (2, "table")
        default: mandatory = (1, "")
        }
        if argumentCount == 0 { return "fetch method '\(name)' : expected type 'integer' at position 1, but got nothing" }
        guard argumentCount < mandatory.0 else { return nil }
        return "fetch method '\(name)' : missing arguments (got \(argumentCount)/\(mandatory.0)), type '\(mandatory.1)' expected"
    }

    /// ACL criteria: integers, `*_tracked` a boolean.
    static var criteria: [(String, ACLCriteria.Criterion)] {
        all.map { ($0, ACLCriteria.Criterion(fetch: $0, method: $0.hasSuffix("_tracked") ? .bool : .int, argument: .optionalName)) }
    }
}
