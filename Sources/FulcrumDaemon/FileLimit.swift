import Glibc
import FulcrumConfig
import FulcrumPosix

/// The file-descriptor limit a configuration needs, set in the master before
/// it forks workers (they inherit it), as HAProxy's main() sets it: `ulimit-n`
/// when given, else what `maxconn` needs. Under `strict-limits` (HAProxy
/// 2.6's default) a limit that cannot be raised stops the start, or the
/// reload, which leaves the running generation serving; without it the
/// highest limit allowed is taken with HAProxy's warnings.
enum FileLimit {
    struct Refused: Error, CustomStringConvertible { let description: String }

    /// Descriptors a worker keeps for itself: its event loop, signals,
    /// control channel, timers, log and runtime sockets.
    static let ownDescriptors = 16

    /// HAProxy's maxsock: two descriptors per connection (client and server),
    /// one per listener and per checked server, and the process's own.
    static func socketsNeeded(_ c: Configuration) -> Int? {
        guard let maxconn = c.global.maxconn else { return nil }
        let listeners = c.frontends.reduce(0) { $0 + $1.binds.count }
        let checks = c.backends.reduce(0) { $0 + $1.servers.filter(\.params.check).count }
        return maxconn * 2 + listeners + checks + ownDescriptors
    }

    /// Sets RLIMIT_NOFILE to what `c` asks; returns the warnings and
    /// alerts to print, or throws the alert that stops the start.
    static func raise(for c: Configuration, program: String = CommandLine.arguments.first ?? "fulcrum") throws -> [String] {
        let maxsock = socketsNeeded(c)
        guard let wanted = c.global.ulimitN ?? maxsock else { return [] }
        var messages: [String] = []
        var current = rlimit()
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &current)
        var limit = Int(current.rlim_cur)
        // Set exactly, as HAProxy does (a smaller limit too: `show info` says Ulimit-n).
        if limit != wanted {
            var raised = rlimit(rlim_cur: rlim_t(wanted), rlim_max: max(current.rlim_max, rlim_t(wanted)))
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = wanted
            } else {
                if c.global.strictLimits {
                    throw Refused(description: "[\(program).main()] Cannot raise FD limit to \(wanted), limit is \(limit).")
                }
                // At least the most the hard limit allows.
                var most = rlimit(rlim_cur: current.rlim_max, rlim_max: current.rlim_max)
                if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &most) == 0 { limit = Int(current.rlim_max) }
                messages.append("[WARNING] [\(program).main()] Cannot raise FD limit to \(wanted), limit is \(limit).")
            }
        }
        if let maxsock, let maxconn = c.global.maxconn, maxsock > limit {
            messages.append("[ALERT] [\(program).main()] FD limit (\(limit)) too low for maxconn=\(maxconn)/maxsock=\(maxsock). "
                            + "Please raise 'ulimit-n' to \(maxsock) or more to avoid any trouble.")
        }
        return messages
    }
}
