import Glibc

/// `-L NAME`: HAProxy's local peer name. HAProxy publishes it as the
/// environment variable HAPROXY_LOCALPEER (the host name when `-L` is not
/// given) before it reads the configuration, so `"${HAPROXY_LOCALPEER}"` and
/// `.if streq("$HAPROXY_LOCALPEER",lb1)` pick per-node settings, and the
/// children and `program`s inherit it. `-L` also sets
/// FULCRUM_LOCALPEER_CLI, so the parser lets it win over `localpeer`.
enum LocalPeer {
    static let variable = "HAPROXY_LOCALPEER"

    static func export(_ name: String?) {
        setenv(variable, name ?? hostName(), 1)
        if name != nil { setenv("FULCRUM_LOCALPEER_CLI", "1", 1) }
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
        return String(cString: buf)
    }
}
