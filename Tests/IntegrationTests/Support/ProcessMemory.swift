import Glibc

/// What processes cost in memory as the kernel accounts it: PSS (resident
/// pages, each shared one divided among the processes sharing it), so a
/// master and its workers summed count their shared code once.
enum ProcessMemory {
    /// PSS of `pid` in KB from /proc/PID/smaps_rollup; nil if it is gone.
    static func pssKilobytes(of pid: pid_t) -> Int? {
        guard let text = FileBytes.readText("/proc/\(pid)/smaps_rollup") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// PSS in KB of `pid` and every process below it.
    static func treePSSKilobytes(of pid: pid_t) -> Int {
        ([pid] + ProcessTree.descendants(of: pid)).compactMap(pssKilobytes).reduce(0, +)
    }

    /// Raises this process's open-file limit (inherited by what it starts) to
    /// at least `count`, raising the hard limit when allowed (root); throws
    /// when it stays below.
    static func allowOpenFiles(_ count: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw HarnessError.posix("getrlimit") }
        guard limit.rlim_cur < rlim_t(count) else { return }
        limit.rlim_cur = rlim_t(count)
        limit.rlim_max = max(limit.rlim_max, rlim_t(count))
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw HarnessError.posix("setrlimit(RLIMIT_NOFILE, \(count))")
        }
    }
}
