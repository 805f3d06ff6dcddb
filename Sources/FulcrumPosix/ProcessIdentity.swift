import Glibc

/// How this process names itself and its machine in what it sends out
/// (syslog tags and hostnames), read once at configuration time.
public enum ProcessIdentity {
    /// The program's name as HAProxy takes its default syslog tag: the last
    /// component of argv[0] ("fulcrum", or whatever name it was installed as).
    public static var programName: String {
        let argv0 = CommandLine.arguments.first ?? "fulcrum"
        return argv0.split(separator: "/").last.map(String.init) ?? "fulcrum"
    }

    /// gethostname(2): `log-send-hostname` without an argument.
    public static var hostName: String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        return String(cString: buf)
    }

    public static var pid: Int32 { getpid() }
}
