/// HAProxy 2.6 promex's metric tables: which `show info` / `show stat` field
/// becomes which metric, its Prometheus type, for which objects, and the
/// `# HELP` text HAProxy prints (the stats field description, or promex's own
/// where it overrides it). Order is HAProxy's field order, which is the order
/// of the scrape.
enum PrometheusMetrics {
    enum MetricType: String { case gauge, counter }

    /// The objects a stats metric is dumped for (PROMEX_FL_*_METRIC).
    enum Object { case frontend, listener, backend, server
        var prefix: String {
            switch self {
            case .frontend: return "haproxy_frontend_"
            case .listener: return "haproxy_listener_"
            case .backend: return "haproxy_backend_"
            case .server: return "haproxy_server_"
            }
        }
    }

    /// One `haproxy_process_*` metric and the `show info` field it reads
    /// (empty for build_info, which is HAProxy's version as a label).
    struct Global {
        let name: String
        let infoField: String
        let type: MetricType
        let help: String
        init(_ name: String, _ infoField: String, _ type: MetricType, _ help: String) {
            self.name = name; self.infoField = infoField; self.type = type; self.help = help
        }
    }

    /// One stats metric: the `show stat` column it reads by name.
    struct Stat {
        let field: String
        let name: String
        let type: MetricType
        let objects: [Object]
        let help: String
        init(_ field: String, _ name: String, _ type: MetricType, _ objects: [Object], _ help: String) {
            self.field = field; self.name = name; self.type = type; self.objects = objects; self.help = help
        }
    }

    static let global: [Global] = [
        Global("nbthread", "Nbthread", .gauge, "Number of started threads (global.nbthread)"),
        Global("nbproc", "Nbproc", .gauge, "Number of started worker processes (historical, always 1)"),
        Global("relative_process_id", "Process_num", .gauge, "Relative worker process number (1)"),
        Global("uptime_seconds", "Uptime_sec", .gauge, "How long ago this worker process was started (seconds)"),
        Global("pool_failures_total", "PoolFailed", .counter, "Number of failed pool allocations since this worker was started"),
        Global("max_fds", "Ulimit-n", .gauge, "Hard limit on the number of per-process file descriptors"),
        Global("max_sockets", "Maxsock", .gauge, "Hard limit on the number of per-process sockets"),
        Global("max_connections", "Maxconn", .gauge, "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)"),
        Global("hard_max_connections", "Hard_maxconn", .gauge, "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)"),
        Global("current_connections", "CurrConns", .gauge, "Current number of connections on this worker process"),
        Global("connections_total", "CumConns", .counter, "Total number of connections on this worker process since started"),
        Global("requests_total", "CumReq", .counter, "Total number of requests on this worker process since started"),
        Global("max_ssl_connections", "MaxSslConns", .gauge, "Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited"),
        Global("current_ssl_connections", "CurrSslConns", .gauge, "Current number of SSL endpoints on this worker process (front+back)"),
        Global("ssl_connections_total", "CumSslConns", .counter, "Total number of SSL endpoints on this worker process since started (front+back)"),
        Global("max_pipes", "Maxpipes", .gauge, "Hard limit on the number of pipes for splicing, 0=unlimited"),
        Global("pipes_used_total", "PipesUsed", .counter, "Current number of pipes in use in this worker process"),
        Global("pipes_free_total", "PipesFree", .counter, "Current number of allocated and available pipes in this worker process"),
        Global("current_connection_rate", "ConnRate", .gauge, "Number of front connections created on this worker process over the last second"),
        Global("limit_connection_rate", "ConnRateLimit", .gauge, "Hard limit for ConnRate (global.maxconnrate)"),
        Global("max_connection_rate", "MaxConnRate", .gauge, "Highest ConnRate reached on this worker process since started (in connections per second)"),
        Global("current_session_rate", "SessRate", .gauge, "Number of sessions created on this worker process over the last second"),
        Global("limit_session_rate", "SessRateLimit", .gauge, "Hard limit for SessRate (global.maxsessrate)"),
        Global("max_session_rate", "MaxSessRate", .gauge, "Highest SessRate reached on this worker process since started (in sessions per second)"),
        Global("current_ssl_rate", "SslRate", .gauge, "Number of SSL connections created on this worker process over the last second"),
        Global("limit_ssl_rate", "SslRateLimit", .gauge, "Hard limit for SslRate (global.maxsslrate)"),
        Global("max_ssl_rate", "MaxSslRate", .gauge, "Highest SslRate reached on this worker process since started (in connections per second)"),
        Global("current_frontend_ssl_key_rate", "SslFrontendKeyRate", .gauge, "Number of SSL keys created on frontends in this worker process over the last second"),
        Global("max_frontend_ssl_key_rate", "SslFrontendMaxKeyRate", .gauge, "Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)"),
        Global("frontend_ssl_reuse", "SslFrontendSessionReuse_pct", .gauge, "Percent of frontend SSL connections which did not require a new key"),
        Global("current_backend_ssl_key_rate", "SslBackendKeyRate", .gauge, "Number of SSL keys created on backends in this worker process over the last second"),
        Global("max_backend_ssl_key_rate", "SslBackendMaxKeyRate", .gauge, "Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)"),
        Global("ssl_cache_lookups_total", "SslCacheLookups", .counter, "Total number of SSL session ID lookups in the SSL session cache on this worker since started"),
        Global("ssl_cache_misses_total", "SslCacheMisses", .counter, "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started"),
        Global("http_comp_bytes_in_total", "CompressBpsIn", .counter, "Number of bytes submitted to the HTTP compressor in this worker process over the last second"),
        Global("http_comp_bytes_out_total", "CompressBpsOut", .counter, "Number of bytes emitted by the HTTP compressor in this worker process over the last second"),
        Global("limit_http_comp", "CompressBpsRateLim", .gauge, "Limit of CompressBpsOut beyond which HTTP compression is automatically disabled"),
        Global("current_zlib_memory", "ZlibMemUsage", .gauge, "Amount of memory currently used by HTTP compression on the current worker process (in bytes)"),
        Global("max_zlib_memory", "MaxZlibMemUsage", .gauge, "Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)"),
        Global("current_tasks", "Tasks", .gauge, "Total number of tasks in the current worker process (active + sleeping)"),
        Global("current_run_queue", "Run_queue", .gauge, "Total number of active tasks+tasklets in the current worker process"),
        Global("idle_time_percent", "Idle_pct", .gauge, "Percentage of last second spent waiting in the current worker thread"),
        Global("stopping", "Stopping", .gauge, "1 if the worker process is currently stopping, otherwise zero"),
        Global("jobs", "Jobs", .gauge, "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)"),
        Global("unstoppable_jobs", "Unstoppable Jobs", .gauge, "Current number of unstoppable jobs on the current worker process (master connections)"),
        Global("listeners", "Listeners", .gauge, "Current number of active listeners on the current worker process"),
        Global("active_peers", "ActivePeers", .gauge, "Current number of verified active peers connections on the current worker process"),
        Global("connected_peers", "ConnectedPeers", .gauge, "Current number of peers having passed the connection step on the current worker process"),
        Global("dropped_logs_total", "DroppedLogs", .counter, "Total number of dropped logs for current worker process since started"),
        Global("busy_polling_enabled", "BusyPolling", .gauge, "1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)"),
        Global("failed_resolutions", "FailedResolutions", .counter, "Total number of failed DNS resolutions in current worker process since started"),
        Global("bytes_out_total", "TotalBytesOut", .counter, "Total number of bytes emitted by current worker process since started"),
        Global("spliced_bytes_out_total", "TotalSplicdedBytesOut", .counter, "Total number of bytes emitted by current worker process through a kernel pipe since started"),
        Global("bytes_out_rate", "BytesOutRate", .gauge, "Number of bytes emitted by current worker process over the last second"),
        Global("recv_logs_total", "CumRecvLogs", .counter, "Total number of log messages received by log-forwarding listeners on this worker process since started"),
        Global("build_info", "", .gauge, "Build info"),
        Global("max_memory_bytes", "Memmax_bytes", .gauge, "Worker process's hard limit on memory usage in byes (-m on command line)"),
        Global("pool_allocated_bytes", "PoolAlloc_bytes", .gauge, "Amount of memory allocated in pools (in bytes)"),
        Global("pool_used_bytes", "PoolUsed_bytes", .gauge, "Amount of pool memory currently used (in bytes)"),
        Global("start_time_seconds", "Start_time_sec", .gauge, "Start time in seconds"),
    ]

    static let stats: [Stat] = [
        Stat("qcur", "current_queue", .gauge, [.backend, .server], "Number of current queued connections"),
        Stat("qmax", "max_queue", .gauge, [.backend, .server], "Highest value of queued connections encountered since process started"),
        Stat("scur", "current_sessions", .gauge, [.frontend, .listener, .backend, .server], "Number of current sessions on the frontend, backend or server"),
        Stat("smax", "max_sessions", .gauge, [.frontend, .listener, .backend, .server], "Highest value of current sessions encountered since process started"),
        Stat("slim", "limit_sessions", .gauge, [.frontend, .listener, .backend, .server], "Frontend/listener/server's maxconn, backend's fullconn"),
        Stat("stot", "sessions_total", .counter, [.frontend, .listener, .backend, .server], "Total number of sessions since process started"),
        Stat("bin", "bytes_in_total", .counter, [.frontend, .listener, .backend, .server], "Total number of request bytes since process started"),
        Stat("bout", "bytes_out_total", .counter, [.frontend, .listener, .backend, .server], "Total number of response bytes since process started"),
        Stat("dreq", "requests_denied_total", .counter, [.frontend, .listener, .backend], "Total number of denied requests since process started"),
        Stat("dresp", "responses_denied_total", .counter, [.frontend, .listener, .backend, .server], "Total number of denied responses since process started"),
        Stat("ereq", "request_errors_total", .counter, [.frontend, .listener], "Total number of invalid requests since process started"),
        Stat("econ", "connection_errors_total", .counter, [.backend, .server], "Total number of failed connections to server since the worker process started"),
        Stat("eresp", "response_errors_total", .counter, [.backend, .server], "Total number of invalid responses since the worker process started"),
        Stat("wretr", "retry_warnings_total", .counter, [.backend, .server], "Total number of server connection retries since the worker process started"),
        Stat("wredis", "redispatch_warnings_total", .counter, [.backend, .server], "Total number of server redispatches due to connection failures since the worker process started"),
        Stat("status", "status", .gauge, [.frontend, .listener, .backend, .server], "Current status of the service, per state label value."),
        Stat("weight", "weight", .gauge, [.backend, .server], "Server's effective weight, or sum of active servers' effective weights for a backend"),
        Stat("act", "active_servers", .gauge, [.backend], "Total number of active UP servers with a non-zero weight"),
        Stat("bck", "backup_servers", .gauge, [.backend], "Total number of backup UP servers with a non-zero weight"),
        Stat("chkfail", "check_failures_total", .counter, [.server], "Total number of failed individual health checks per server/backend, since the worker process started"),
        Stat("chkdown", "check_up_down_total", .counter, [.backend, .server], "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started"),
        Stat("lastchg", "check_last_change_seconds", .gauge, [.backend, .server], "How long ago the last server state changed, in seconds"),
        Stat("downtime", "downtime_seconds_total", .counter, [.backend, .server], "Total time spent in DOWN state, for server or backend"),
        Stat("qlimit", "queue_limit", .gauge, [.server], "Limit on the number of connections in queue, for servers only (maxqueue argument)"),
        Stat("throttle", "current_throttle", .gauge, [.server], "Throttling ratio applied to a server's maxconn and weight during the slowstart period (0 to 100%)"),
        Stat("lbtot", "loadbalanced_total", .counter, [.backend, .server], "Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)"),
        Stat("rate_lim", "limit_session_rate", .gauge, [.frontend], "Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)"),
        Stat("rate_max", "max_session_rate", .gauge, [.frontend, .backend, .server], "Highest value of sessions per second observed since the worker process started"),
        Stat("check_status", "check_status", .gauge, [.server], "Status of last health check, per state label value."),
        Stat("check_code", "check_code", .gauge, [.server], "layer5-7 code, if available of the last health check."),
        Stat("check_duration", "check_duration_seconds", .gauge, [.server], "Total duration of the latest server health check, in seconds."),
        Stat("hrsp_1xx", "http_responses_total", .counter, [.frontend, .backend, .server], "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"),
        Stat("hrsp_2xx", "http_responses_total", .counter, [.frontend, .backend, .server], "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"),
        Stat("hrsp_3xx", "http_responses_total", .counter, [.frontend, .backend, .server], "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"),
        Stat("hrsp_4xx", "http_responses_total", .counter, [.frontend, .backend, .server], "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"),
        Stat("hrsp_5xx", "http_responses_total", .counter, [.frontend, .backend, .server], "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"),
        Stat("hrsp_other", "http_responses_total", .counter, [.frontend, .backend, .server], "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"),
        Stat("req_rate_max", "http_requests_rate_max", .gauge, [.frontend], "Highest value of http requests observed since the worker process started"),
        Stat("req_tot", "http_requests_total", .counter, [.frontend, .backend], "Total number of HTTP requests processed by this object since the worker process started"),
        Stat("cli_abrt", "client_aborts_total", .counter, [.backend, .server], "Total number of requests or connections aborted by the client since the worker process started"),
        Stat("srv_abrt", "server_aborts_total", .counter, [.backend, .server], "Total number of requests or connections aborted by the server since the worker process started"),
        Stat("comp_in", "http_comp_bytes_in_total", .counter, [.frontend, .backend], "Total number of bytes submitted to the HTTP compressor for this object since the worker process started"),
        Stat("comp_out", "http_comp_bytes_out_total", .counter, [.frontend, .backend], "Total number of bytes emitted by the HTTP compressor for this object since the worker process started"),
        Stat("comp_byp", "http_comp_bytes_bypassed_total", .counter, [.frontend, .backend], "Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)"),
        Stat("comp_rsp", "http_comp_responses_total", .counter, [.frontend, .backend], "Total number of HTTP responses that were compressed for this object since the worker process started"),
        Stat("lastsess", "last_session_seconds", .gauge, [.backend, .server], "How long ago some traffic was seen on this object on this worker process, in seconds"),
        Stat("qtime", "queue_time_average_seconds", .gauge, [.backend, .server], "Avg. queue time for last 1024 successful connections."),
        Stat("ctime", "connect_time_average_seconds", .gauge, [.backend, .server], "Avg. connect time for last 1024 successful connections."),
        Stat("rtime", "response_time_average_seconds", .gauge, [.backend, .server], "Avg. response time for last 1024 successful connections."),
        Stat("ttime", "total_time_average_seconds", .gauge, [.backend, .server], "Avg. total time for last 1024 successful connections."),
        Stat("conn_rate_max", "connections_rate_max", .gauge, [.frontend], "Highest value of connections per second observed since the worker process started"),
        Stat("conn_tot", "connections_total", .counter, [.frontend], "Total number of new connections accepted on this frontend since the worker process started"),
        Stat("intercepted", "intercepted_requests_total", .counter, [.frontend], "Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started"),
        Stat("dcon", "denied_connections_total", .counter, [.frontend, .listener], "Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started"),
        Stat("dses", "denied_sessions_total", .counter, [.frontend, .listener], "Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started"),
        Stat("wrew", "failed_header_rewriting_total", .counter, [.frontend, .listener, .backend, .server], "Total number of failed HTTP header rewrites since the worker process started"),
        Stat("connect", "connection_attempts_total", .counter, [.backend, .server], "Total number of outgoing connection attempts on this backend/server since the worker process started"),
        Stat("reuse", "connection_reuses_total", .counter, [.backend, .server], "Total number of reused connection on this backend/server since the worker process started"),
        Stat("cache_lookups", "http_cache_lookups_total", .counter, [.frontend, .backend], "Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started"),
        Stat("cache_hits", "http_cache_hits_total", .counter, [.frontend, .backend], "Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started"),
        Stat("srv_icur", "idle_connections_current", .gauge, [.server], "Current number of idle connections available for reuse on this server"),
        Stat("src_ilim", "idle_connections_limit", .gauge, [.server], "Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)"),
        Stat("qtime_max", "max_queue_time_seconds", .gauge, [.backend, .server], "Maximum observed time spent in the queue"),
        Stat("ctime_max", "max_connect_time_seconds", .gauge, [.backend, .server], "Maximum observed time spent waiting for a connection to complete"),
        Stat("rtime_max", "max_response_time_seconds", .gauge, [.backend, .server], "Maximum observed time spent waiting for a server response"),
        Stat("ttime_max", "max_total_time_seconds", .gauge, [.backend, .server], "Maximum observed total request+response time (request+queue+connect+response+processing)"),
        Stat("eint", "internal_errors_total", .counter, [.frontend, .listener, .backend, .server], "Total number of internal errors since process started"),
        Stat("idle_conn_cur", "unsafe_idle_connections_current", .gauge, [.server], "Current number of unsafe idle connections"),
        Stat("safe_conn_cur", "safe_idle_connections_current", .gauge, [.server], "Current number of safe idle connections"),
        Stat("used_conn_cur", "used_connections_current", .gauge, [.server], "Current number of connections in use"),
        Stat("need_conn_est", "need_connections_current", .gauge, [.server], "Estimated needed number of connections"),
        Stat("uweight", "uweight", .gauge, [.backend, .server], "Server's user weight, or sum of active servers' user weights for a backend"),
        Stat("agg_server_status", "agg_server_status", .gauge, [.backend], "Backend's aggregated gauge of servers' status"),
        Stat("agg_server_check_status", "agg_server_check_status", .gauge, [.backend], "Backend's aggregated gauge of servers' state check status"),
        Stat("agg_check_status", "agg_check_status", .gauge, [.backend], "Backend's aggregated gauge of servers' state check status"),
    ]
}
