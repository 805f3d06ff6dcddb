/// HAProxy's dynamic maxconn (srv_dynamic_maxconn, before the slowstart
/// ramp): a server with `minconn` below its `maxconn` accepts
/// max(minconn, load × maxconn / fullconn) connections while its backend
/// holds fewer than `fullconn` streams, and `maxconn` from then on. So a
/// lightly loaded farm keeps its servers' queues short and a busy one uses
/// them fully.
public enum DynamicMaxconn {
    /// `minconn` and `maxconn` as HAProxy settles them after parsing: a
    /// `minconn` above `maxconn` (or alone) raises `maxconn` to it, and a
    /// `maxconn` without `minconn` is static (minconn = maxconn).
    public static func settle(maxconn: Int, minconn: Int) -> (maxconn: Int, minconn: Int) {
        if minconn > maxconn { return (minconn, minconn) }
        if maxconn > 0 && minconn == 0 { return (maxconn, maxconn) }
        return (maxconn, minconn)
    }

    /// The connection limit of a server (`maxconn`/`minconn` settled, 0: no
    /// limit) when its backend holds `backendLoad` streams.
    @inline(__always)
    public static func limit(maxconn: Int, minconn: Int, fullconn: Int, backendLoad: Int) -> Int {
        guard maxconn > 0, minconn != maxconn, backendLoad < fullconn else { return maxconn }
        return max(minconn, backendLoad * maxconn / fullconn)
    }
}
