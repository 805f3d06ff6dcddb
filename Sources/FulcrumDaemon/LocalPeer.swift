import Glibc

/// `-L NAME`: HAProxy's local peer name. HAProxy publishes it as the
/// environment variable HAPROXY_LOCALPEER (the host name when `-L` is not
/// given) before it reads the configuration, so `"${HAPROXY_LOCALPEER}"` and
/// `.if streq("$HAPROXY_LOCALPEER",lb1)` pick per-node settings, and the
/// children and `program`s inherit it. Fulcrum has no `peers` section, so this
/// is where the name is used.
enum LocalPeer {
    static let variable = "HAPROXY_LOCALPEER"

    static func export(_ name: String?) {
        setenv(variable, name ?? hostName(), 1)
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
        return String(cString: buf)
    }
}
