/// The columns of HAProxy 2.6's `show stat`, in order, with the tags that
/// `typed` and `json` print for each kind of row (nil: HAProxy never fills the
/// column for that kind). Indexes 0...102 are the standard fields; 103... are
/// the ssl, h2 and h1 module fields that HAProxy 2.6 appends after a "-"
/// column in CSV.
enum RuntimeStatFields {
    struct Field {
        let name: String
        let frontend: String?
        let backend: String?
        let server: String?
    }

    static let standardCount = 103

    static let all: [Field] = [
        Field(name: "pxname", frontend: "KNS:str", backend: "KNS:str", server: "KNS:str"),
        Field(name: "svname", frontend: "KNS:str", backend: "KNS:str", server: "KNS:str"),
        Field(name: "qcur", frontend: nil, backend: "MGP:u32", server: "MGP:u32"),
        Field(name: "qmax", frontend: nil, backend: "MMP:u32", server: "MMP:u32"),
        Field(name: "scur", frontend: "MGP:u32", backend: "MGP:u32", server: "MGP:u32"),
        Field(name: "smax", frontend: "MMP:u32", backend: "MMP:u32", server: "MMP:u32"),
        Field(name: "slim", frontend: "CLP:u32", backend: "CLP:u32", server: "CLP:u32"),
        Field(name: "stot", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "bin", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "bout", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "dreq", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "dresp", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "ereq", frontend: "MCP:u64", backend: nil, server: nil),
        Field(name: "econ", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "eresp", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "wretr", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "wredis", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "status", frontend: "SGP:str", backend: "SGP:str", server: "SGP:str"),
        Field(name: "weight", frontend: nil, backend: "MaP:u32", server: "MaP:u32"),
        Field(name: "act", frontend: nil, backend: "MGP:u32", server: "SGP:u32"),
        Field(name: "bck", frontend: nil, backend: "MGP:u32", server: "SGP:u32"),
        Field(name: "chkfail", frontend: nil, backend: nil, server: "MCP:u64"),
        Field(name: "chkdown", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "lastchg", frontend: nil, backend: "MAP:u32", server: "MAP:u32"),
        Field(name: "downtime", frontend: nil, backend: "MCP:u32", server: "MCP:u32"),
        Field(name: "qlimit", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "pid", frontend: "KGP:u32", backend: "KGP:u32", server: "KGP:u32"),
        Field(name: "iid", frontend: "KGS:u32", backend: "KGS:u32", server: "KGS:u32"),
        Field(name: "sid", frontend: "KGS:u32", backend: "KGS:u32", server: "KGS:u32"),
        Field(name: "throttle", frontend: nil, backend: nil, server: nil),
        Field(name: "lbtot", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "tracked", frontend: nil, backend: nil, server: "CGS:str"),
        Field(name: "type", frontend: "CGS:u32", backend: "CGS:u32", server: "CGS:u32"),
        Field(name: "rate", frontend: "MRP:u32", backend: "MGP:u32", server: "MRP:u32"),
        Field(name: "rate_lim", frontend: "CLP:u32", backend: nil, server: nil),
        Field(name: "rate_max", frontend: "MMP:u32", backend: "MGP:u32", server: "MMP:u32"),
        Field(name: "check_status", frontend: nil, backend: nil, server: "MOP:str"),
        Field(name: "check_code", frontend: nil, backend: nil, server: "MOP:u32"),
        Field(name: "check_duration", frontend: nil, backend: nil, server: "MDP:u64"),
        Field(name: "hrsp_1xx", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "hrsp_2xx", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "hrsp_3xx", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "hrsp_4xx", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "hrsp_5xx", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "hrsp_other", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "hanafail", frontend: nil, backend: nil, server: nil),
        Field(name: "req_rate", frontend: "MRP:u32", backend: nil, server: nil),
        Field(name: "req_rate_max", frontend: "MMP:u32", backend: nil, server: nil),
        Field(name: "req_tot", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "cli_abrt", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "srv_abrt", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "comp_in", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "comp_out", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "comp_byp", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "comp_rsp", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "lastsess", frontend: nil, backend: "MAP:s32", server: "MAP:s32"),
        Field(name: "last_chk", frontend: nil, backend: nil, server: "MOP:str"),
        Field(name: "last_agt", frontend: nil, backend: nil, server: "MOP:str"),
        Field(name: "qtime", frontend: nil, backend: "MaP:u32", server: "MaP:u32"),
        Field(name: "ctime", frontend: nil, backend: "MaP:u32", server: "MaP:u32"),
        Field(name: "rtime", frontend: nil, backend: "MaP:u32", server: "MaP:u32"),
        Field(name: "ttime", frontend: nil, backend: "MaP:u32", server: "MaP:u32"),
        Field(name: "agent_status", frontend: nil, backend: nil, server: "MOP:str"),
        Field(name: "agent_code", frontend: nil, backend: nil, server: "MOP:u32"),
        Field(name: "agent_duration", frontend: nil, backend: nil, server: "MDP:u64"),
        Field(name: "check_desc", frontend: nil, backend: nil, server: "MOP:str"),
        Field(name: "agent_desc", frontend: nil, backend: nil, server: "COP:str"),
        Field(name: "check_rise", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "check_fall", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "check_health", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "agent_rise", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "agent_fall", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "agent_health", frontend: nil, backend: nil, server: "CGS:u32"),
        Field(name: "addr", frontend: nil, backend: nil, server: "CGS:str"),
        Field(name: "cookie", frontend: nil, backend: nil, server: nil),
        Field(name: "mode", frontend: "CGS:str", backend: "CGS:str", server: "CGS:str"),
        Field(name: "algo", frontend: nil, backend: "CGS:str", server: nil),
        Field(name: "conn_rate", frontend: "MRP:u32", backend: nil, server: nil),
        Field(name: "conn_rate_max", frontend: "MMP:u32", backend: nil, server: nil),
        Field(name: "conn_tot", frontend: "MCP:u64", backend: nil, server: nil),
        Field(name: "intercepted", frontend: "MCP:u64", backend: nil, server: nil),
        Field(name: "dcon", frontend: "MCP:u64", backend: nil, server: nil),
        Field(name: "dses", frontend: "MCP:u64", backend: nil, server: nil),
        Field(name: "wrew", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "connect", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "reuse", frontend: nil, backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "cache_lookups", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "cache_hits", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "srv_icur", frontend: nil, backend: nil, server: "MGP:u32"),
        Field(name: "src_ilim", frontend: nil, backend: nil, server: nil),
        Field(name: "qtime_max", frontend: nil, backend: "MMP:u32", server: "MMP:u32"),
        Field(name: "ctime_max", frontend: nil, backend: "MMP:u32", server: "MMP:u32"),
        Field(name: "rtime_max", frontend: nil, backend: "MMP:u32", server: "MMP:u32"),
        Field(name: "ttime_max", frontend: nil, backend: "MMP:u32", server: "MMP:u32"),
        Field(name: "eint", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "idle_conn_cur", frontend: nil, backend: nil, server: "MGP:u32"),
        Field(name: "safe_conn_cur", frontend: nil, backend: nil, server: "MGP:u32"),
        Field(name: "used_conn_cur", frontend: nil, backend: nil, server: "MGP:u32"),
        Field(name: "need_conn_est", frontend: nil, backend: nil, server: "MGP:u32"),
        Field(name: "uweight", frontend: nil, backend: "MaP:u32", server: "MaP:u32"),
        Field(name: "agg_server_status", frontend: nil, backend: "MGP:u32", server: nil),
        Field(name: "agg_server_check_status", frontend: nil, backend: "MGP:u32", server: nil),
        Field(name: "agg_check_status", frontend: nil, backend: "MGP:u32", server: nil),
        Field(name: "ssl_sess", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "ssl_reused_sess", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "ssl_failed_handshake", frontend: "MCP:u64", backend: "MCP:u64", server: "MCP:u64"),
        Field(name: "h2_headers_rcvd", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_data_rcvd", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_settings_rcvd", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_rst_stream_rcvd", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_goaway_rcvd", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_detected_conn_protocol_errors", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_detected_strm_protocol_errors", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_rst_stream_resp", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_goaway_resp", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_open_connections", frontend: "MGP:u64", backend: "MGP:u64", server: nil),
        Field(name: "h2_backend_open_streams", frontend: "MGP:u64", backend: "MGP:u64", server: nil),
        Field(name: "h2_total_connections", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h2_backend_total_streams", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h1_open_connections", frontend: "MGP:u64", backend: "MGP:u64", server: nil),
        Field(name: "h1_open_streams", frontend: "MGP:u64", backend: "MGP:u64", server: nil),
        Field(name: "h1_total_connections", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h1_total_streams", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h1_bytes_in", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h1_bytes_out", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h1_spliced_bytes_in", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
        Field(name: "h1_spliced_bytes_out", frontend: "MCP:u64", backend: "MCP:u64", server: nil),
    ]

    /// The tags of the fields a listener row has (HAProxy 2.6's typed output).
    static let listenerTags: [String: String] = [
        "pxname": "KNS:str", "svname": "KNS:str", "scur": "MGP:u32", "smax": "MMP:u32", "slim": "CLP:u32",
        "stot": "MCP:u64", "bin": "MCP:u64", "bout": "MCP:u64", "dreq": "MCP:u64", "dresp": "MCP:u64", "ereq": "MCP:u64",
        "status": "SGP:str", "pid": "KGP:u32", "iid": "KGS:u32", "sid": "KGS:u32", "type": "CGS:u32", "addr": "CGS:str",
        "mode": "CGS:str", "dcon": "MCP:u64", "dses": "MCP:u64", "wrew": "MCP:u64", "eint": "MCP:u64",
        "ssl_sess": "MCP:u64", "ssl_reused_sess": "MCP:u64", "ssl_failed_handshake": "MCP:u64",
    ]

    static let index: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, f) in all.enumerated() { d[f.name] = i }
        return d
    }()

    /// The CSV header line, "-" before the module fields, trailing comma as HAProxy.
    static let csvHeader: String = {
        var s = "# "
        for (i, f) in all.enumerated() {
            if i == standardCount { s += "-," }
            s += f.name + ","
        }
        return s + "\n"
    }()

    /// JSON names of the tag letters.
    static func origin(_ c: Character) -> String {
        switch c { case "M": return "Metric"; case "S": return "Status"; case "K": return "Key"; case "C": return "Config"; case "P": return "Product"; default: return "Unknown" }
    }
    static func nature(_ c: Character) -> String {
        switch c {
        case "A": return "Age"; case "a": return "Avg"; case "C": return "Counter"; case "D": return "Duration"
        case "G": return "Gauge"; case "L": return "Limit"; case "M": return "Max"; case "m": return "Min"
        case "N": return "Name"; case "O": return "Output"; case "R": return "Rate"; case "T": return "Time"
        default: return "Unknown"
        }
    }
    static func scope(_ c: Character) -> String {
        switch c { case "C": return "Cluster"; case "P": return "Process"; case "S": return "Service"; case "s": return "System"; default: return "Unknown" }
    }
}
