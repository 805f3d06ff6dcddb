/// One name server's counters, as `show resolvers` prints them (haproxy 2.6's
/// dns_counters, in its order).
struct ResolverCounters {
    var sent = 0, sendError = 0, valid = 0, update = 0, cname = 0, cnameError = 0, anyError = 0
    var nx = 0, timeout = 0, refused = 0, other = 0, invalid = 0, tooBig = 0, truncated = 0, outdated = 0

    var lines: [(String, Int)] {
        [("sent", sent), ("snd_error", sendError), ("valid", valid), ("update", update), ("cname", cname),
         ("cname_error", cnameError), ("any_err", anyError), ("nx", nx), ("timeout", timeout), ("refused", refused),
         ("other", other), ("invalid", invalid), ("too_big", tooBig), ("truncated", truncated), ("outdated", outdated)]
    }
}

/// `show resolvers [NAME]` in haproxy 2.6's layout.
enum ResolversFormat {
    static func show(_ sections: [(name: String, nameservers: [(name: String, counters: ResolverCounters)])], only: String?) -> String {
        var out = ""
        var found = false
        for s in sections where only == nil || s.name == only {
            found = true
            out += "Resolvers section \(s.name)\n"
            for ns in s.nameservers {
                out += " nameserver \(ns.name):\n"
                for (label, value) in ns.counters.lines {
                    let name = label + ":"
                    let pad = String(repeating: " ", count: max(1, 13 - name.count))
                    out += "  \(name)\(pad)\(value)\n"
                }
            }
        }
        if !found && only != nil { return "Can't find that resolvers section\n" }
        return out
    }

    /// `show stat domain resolvers`: haproxy 2.6's CSV, one row per name
    /// server ("id" its name, "pid" its section's).
    static func statCSV(_ sections: [(name: String, nameservers: [(name: String, counters: ResolverCounters)])]) -> String {
        var out = "# id,pid," + ResolverCounters().lines.map { $0.0 == "snd_error" ? "send_error" : $0.0 }.joined(separator: ",") + ",\n"
        for s in sections {
            for ns in s.nameservers {
                out += "\(ns.name),\(s.name)," + ns.counters.lines.map { String($0.1) }.joined(separator: ",") + ",\n"
            }
        }
        return out
    }
}
