import Glibc

/// HAProxy-shaped log lines on stderr (`[NOTICE]   (pid) : message`), which
/// systemd's journal or the terminal collects. Every process of the daemon
/// writes through this, so operators see one format.
public enum Log {
    public enum Level: Int, Comparable, Sendable {
        case debug = 0, notice, warning, alert
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var tag: String {
            switch self {
            case .debug: return "[DEBUG]  "
            case .notice: return "[NOTICE] "
            case .warning: return "[WARNING]"
            case .alert: return "[ALERT]  "
            }
        }
    }
    /// Lowest level printed: notice by default, debug with -d, warning with -q.
    nonisolated(unsafe) public static var threshold: Level = .notice
    /// Process label, e.g. "master" or "worker 2".
    nonisolated(unsafe) public static var role = "master"

    public static func write(_ level: Level, _ message: String) {
        guard level >= threshold else { return }
        let line = "\(level.tag) (\(getpid())) \(role) : \(message)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { Glibc.write(2, $0.baseAddress!, $0.count - 1) }
    }
    public static func debug(_ m: @autoclosure () -> String) { if threshold <= .debug { write(.debug, m()) } }
    public static func notice(_ m: String) { write(.notice, m) }
    public static func warning(_ m: String) { write(.warning, m) }
    public static func alert(_ m: String) { write(.alert, m) }
}
