import Glibc
import CFulcrum

/// Signals delivered as readable events on a signalfd, so a single-threaded
/// loop handles them in order with everything else (no async-signal handlers).
public final class SignalChannel {
    public let fd: FileDescriptor
    private var info = [UInt8](repeating: 0, count: Int(cf_signalfd_info_size()))

    /// Blocks `signals` for the process and opens a signalfd for them.
    public init(_ signals: [Int32]) throws(Errno) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        sigprocmask(SIG_BLOCK, &set, nil)
        fd = FileDescriptor(try syscall { cf_signalfd(&set) })
    }
    deinit { fd.close() }

    /// The next pending signal number, or nil when none is pending.
    public func next() -> Int32? {
        let n = info.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress!, $0.count) }
        guard n == info.count else { return nil }
        return info.withUnsafeBytes { Int32(cf_signalfd_signo($0.baseAddress!)) }
    }

    public static func ignore(_ signal: Int32) { Glibc.signal(signal, SIG_IGN) }

    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGKILL: return "SIGKILL"
        case SIGINT: return "SIGINT"
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGUSR1: return "SIGUSR1"
        case SIGUSR2: return "SIGUSR2"
        case SIGHUP: return "SIGHUP"
        case SIGPIPE: return "SIGPIPE"
        case SIGQUIT: return "SIGQUIT"
        default: return "signal \(signal)"
        }
    }
}
