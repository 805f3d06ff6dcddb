/// HAProxy's numbers for proxies and servers: `iid`/`sid` in `show stat`,
/// be_id/srv_id in `show servers state` (and so in server-state files), the
/// fe_id/be_id/srv_id fetches. A number given with `id N` is kept; every
/// other one takes, in declaration order, the first number nobody asked for
/// from a candidate that moves one step past every proxy (or server of a
/// backend), numbered by hand or not: check_config_validity's walk.
public enum ProxyNumbering {
    /// The numbers of a list whose explicit ones are given (nil: automatic).
    /// `firstTaken`: the walk's first step is taken already (a global `stats
    /// socket` or `stats timeout` makes HAProxy's CLI frontend, which walks
    /// before every proxy).
    public static func numbers(explicit: [Int?], firstTaken: Bool = false) -> [Int] {
        var used = Set(explicit.compactMap { $0 })
        var next = firstTaken ? 2 : 1
        return explicit.map { given in
            defer { next += 1 }
            if let given { return given }
            while used.contains(next) { next += 1 }
            used.insert(next)
            return next
        }
    }
}
