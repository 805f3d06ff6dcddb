/// One worker's figures for `show activity` and `show pools`: what its event
/// loop and buffer pool really did. The master gathers every worker's and
/// prints them as HAProxy 2.6 prints its threads' (a worker is a thread
/// there); HAProxy fields with no meaning in Fulcrum are printed as an
/// unused counter prints, 0 (docs/differences.md).
public struct WorkerActivity: Equatable, Sendable {
    /// Event loop turns, and those whose wait returned events.
    public var loops: UInt64
    public var eventTurns: UInt64
    /// Microseconds the loop spent outside its waits since the worker started.
    public var busyMicros: UInt64
    /// Connections the worker accepted.
    public var accepted: UInt64
    /// Buffers handed out and kept free, and their size.
    public var buffersInUse: UInt64
    public var buffersFree: UInt64
    public var bufferSize: UInt64

    public init(loops: UInt64, eventTurns: UInt64, busyMicros: UInt64, accepted: UInt64, buffersInUse: UInt64,
                buffersFree: UInt64, bufferSize: UInt64) {
        self.loops = loops; self.eventTurns = eventTurns; self.busyMicros = busyMicros; self.accepted = accepted
        self.buffersInUse = buffersInUse; self.buffersFree = buffersFree; self.bufferSize = bufferSize
    }

    var fields: [UInt64] { [loops, eventTurns, busyMicros, accepted, buffersInUse, buffersFree, bufferSize] }

    /// One line of numbers (worker → master).
    public var encoded: String { fields.map(String.init).joined(separator: " ") }

    public init?(encoded text: Substring) {
        let v = text.split(separator: " ").compactMap { UInt64($0) }
        guard v.count == 7 else { return nil }
        self.init(loops: v[0], eventTurns: v[1], busyMicros: v[2], accepted: v[3], buffersInUse: v[4], buffersFree: v[5], bufferSize: v[6])
    }
}

public enum RuntimeActivityFormat {
    /// What the master sends every worker for `show activity` / `show pools`
    /// (no CLI command starts so): the answer is `WorkerActivity.encoded`.
    public static let recordRequest = "\u{1}show activity record"

    public static func records(_ parts: [String]) -> [WorkerActivity] {
        parts.compactMap { part in part.split(separator: "\n").first.flatMap { WorkerActivity(encoded: $0) } }
    }

    /// HAProxy 2.6's `show activity`, one column per worker.
    public static func activity(_ workers: [WorkerActivity], nowMicros: Int64) -> String {
        var out = "thread_id: 1 (1..\(max(1, workers.count)))\n"
        out += "date_now: \(nowMicros / 1_000_000).\(String(repeating: "0", count: 6 - String(nowMicros % 1_000_000).count))\(nowMicros % 1_000_000)\n"
        func line(_ name: String, average: Bool = false, _ value: (WorkerActivity) -> UInt64) {
            let values = workers.map(value)
            var total = values.reduce(0, &+)
            if average && !values.isEmpty { total /= UInt64(values.count) }
            // HAProxy prints these as C unsigned ints.
            out += "\(name): \(UInt32(truncatingIfNeeded: total)) [" + values.map { " \(UInt32(truncatingIfNeeded: $0))" }.joined() + " ]\n"
        }
        let unused: (WorkerActivity) -> UInt64 = { _ in 0 }
        for name in ["ctxsw", "tasksw", "empty_rq", "long_rq"] { line(name, unused) }
        line("loops") { $0.loops }
        for name in ["wake_tasks", "wake_signal"] { line(name, unused) }
        line("poll_io") { $0.eventTurns }
        line("poll_exp") { $0.loops - $0.eventTurns }
        for name in ["poll_drop_fd", "poll_skip_fd", "conn_dead", "stream_calls", "pool_fail", "buf_wait",
                     "cpust_ms_tot", "cpust_ms_1s", "cpust_ms_15s"] { line(name, unused) }
        line("avg_loop_us", average: true) { $0.loops == 0 ? 0 : $0.busyMicros / $0.loops }
        line("accepted") { $0.accepted }
        for name in ["accq_pushed", "accq_full", "accq_ring", "fd_takeover"] { line(name, unused) }
        return out
    }

    /// HAProxy 2.6's `show pools` for Fulcrum's one pool, the buffers: a
    /// worker's free list is what HAProxy calls a thread cache.
    public static func pools(_ workers: [WorkerActivity]) -> String {
        let size = workers.first?.bufferSize ?? 16384
        let free = workers.reduce(0) { $0 + $1.buffersFree }
        let used = workers.reduce(0) { $0 + $1.buffersInUse } + free
        var out = "Dumping pools usage. Use SIGQUIT to flush them.\n"
        out += "  - Pool buffer (\(size) bytes) : \(used) allocated (\(used * size) bytes), \(used) used (~\(free) by thread caches)"
        out += ", needed_avg 0, 0 failures, 1 users, @0x0000000000000000\n"
        out += "Total: 1 pools, \(used * size) bytes allocated, \(used * size) used (~\(free * size) by thread caches).\n"
        return out
    }
}
