/// A worker that died (crashed, killed) took its sessions with it, but what
/// it had counted into the shared words stays: connections per frontend,
/// bind, backend and server, and the process total, which maxconn and
/// leastconn read. Its own gauges say how much that was; the master takes it
/// off when it reaps the worker, so limits and `scur` recover at once and the
/// respawned worker starts from zero.
extension SharedTable {
    public func releaseWorker(_ w: Int) {
        func release(_ shared: SharedWord, _ held: SharedWord) {
            let n = held.load()
            if n > 0 { shared.subtract(min(n, shared.load())) }
        }
        var total: UInt64 = 0
        for fi in 0..<frontends {
            let held = frontendCounter(worker: w, frontend: fi, .current)
            total &+= held.load()
            release(frontend(fi, .conns), held)
        }
        let global = header(.globalConns)
        global.subtract(min(total, global.load()))
        for i in 0..<binds { release(bind(i, .conns), bindCounter(worker: w, bind: i, .current)) }
        for bi in 0..<backends { release(backend(bi, .conns), backendCounter(worker: w, backend: bi, .current)) }
        for s in 0..<servers { release(server(s, .conns), serverCounter(worker: w, server: s, .current)) }
        for line in 0..<(proxyLines + servers) {
            for c in Counter.allCases where c.isGauge { counterWord(block: w, line: line, c).store(0) }
        }
        for f in [WorkerField.pid, .tasks, .runQueue, .poolAllocated, .poolUsed, .pipesUsed, .pipesFree] {
            worker(w, f).store(0)
        }
    }
}
