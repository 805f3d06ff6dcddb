import FulcrumConfig

/// A running process as `vrrp_track_process` sees it: its name
/// (/proc/PID/comm, 15 bytes at most) and its argv (/proc/PID/cmdline).
struct RunningProcess: Equatable {
    var name: String
    var arguments: [String]
}

/// keepalived's process matching and quorum, pure so it is tested without
/// processes: a process matches by name (or argv[0] with `full_command`)
/// and, when parameters are given, by its arguments as `param_match` says.
enum VRRPProcessMatch {
    static func matches(_ p: VRRPTrackedProcess, _ r: RunningProcess) -> Bool {
        guard let name = p.process else { return false }
        if p.fullCommand {
            guard r.arguments.first == name else { return false }
        } else {
            // The kernel keeps 15 bytes of a process's name.
            guard r.name == String(decoding: name.utf8.prefix(15), as: UTF8.self) else { return false }
        }
        guard let wanted = p.parameters else { return true }
        let args = Array(r.arguments.dropFirst())
        switch p.parameterMatch {
        case .exact: return args == wanted
        case .initial: return args.starts(with: wanted)
        case .partial:
            guard !wanted.isEmpty else { return true }
            guard args.count >= wanted.count else { return false }
            return (0...(args.count - wanted.count)).contains { Array(args[$0..<($0 + wanted.count)]) == wanted }
        }
    }

    static func count(_ p: VRRPTrackedProcess, in running: [RunningProcess]) -> Int {
        running.reduce(0) { $0 + (matches(p, $1) ? 1 : 0) }
    }
}

/// One tracked process's state over time: up while the count of matching
/// processes is within [quorum, quorum_max]; a change counts once it lasted
/// `fork_delay` (gaining) or `terminate_delay` (losing) seconds. Time is
/// injected (milliseconds).
struct VRRPProcessTracker: Equatable {
    let process: VRRPTrackedProcess
    private(set) var up: Bool
    private(set) var count: Int
    /// When the count first said otherwise than `up`.
    private var pendingSince: Int64?

    init(_ process: VRRPTrackedProcess, count: Int) {
        self.process = process
        self.count = count
        up = count >= process.quorum && count <= process.quorumMax
    }

    /// The latest count; true when `up` changed.
    mutating func observe(count: Int, now: Int64) -> Bool {
        self.count = count
        let wanted = count >= process.quorum && count <= process.quorumMax
        guard wanted != up else { pendingSince = nil; return false }
        let since = pendingSince ?? now
        pendingSince = since
        let delay = Int64(wanted ? process.forkDelay : process.terminateDelay) * 1000
        guard now - since >= delay else { return false }
        up = wanted
        pendingSince = nil
        return true
    }

    /// When the pending change would count (nil: none pending).
    var pendingDeadline: Int64? {
        pendingSince.map { $0 + Int64(up ? process.terminateDelay : process.forkDelay) * 1000 }
    }
}
