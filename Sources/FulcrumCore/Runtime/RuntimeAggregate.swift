/// The master's view of all workers: one snapshot whose counters are the
/// workers' combined. Totals and current values add up; maxima take the
/// largest worker's (a true global maximum is not recoverable from per-worker
/// maxima); "seconds since last session" takes the most recent. Server and
/// backend state (admin, health, weights, checks) is shared by all workers,
/// so it is taken from the first snapshot, as are the proxy and server lists.
public enum RuntimeAggregate {
    public static func sum(_ perWorker: [RuntimeSnapshot]) -> RuntimeSnapshot {
        guard var total = perWorker.first else { return RuntimeSnapshot() }
        for other in perWorker.dropFirst() {
            for (pi, proxy) in total.proxies.enumerated() {
                guard let o = other.proxy(named: proxy.name) else { continue }
                if let a = proxy.frontend?.counters, let b = o.frontend?.counters {
                    total.proxies[pi].frontend?.counters = add(a, b)
                }
                if let a = proxy.backend?.counters, let b = o.backend?.counters {
                    total.proxies[pi].backend?.counters = add(a, b)
                }
            }
            for (si, sv) in total.servers.enumerated() {
                guard let o = other.server(sv.backendName, sv.name) else { continue }
                total.servers[si].counters = add(sv.counters, o.counters)
                if let c = sv.check, let oc = o.check {
                    total.servers[si].check?.failures = max(c.failures, oc.failures)
                }
            }
            total.info.currentConnections += other.info.currentConnections
            total.info.cumulativeConnections += other.info.cumulativeConnections
            total.info.cumulativeRequests += other.info.cumulativeRequests
            total.info.pipesUsed += other.info.pipesUsed
            total.info.pipesFree += other.info.pipesFree
            total.info.connectionRate += other.info.connectionRate
            total.info.sessionRate += other.info.sessionRate
            total.info.maxConnectionRate = max(total.info.maxConnectionRate, other.info.maxConnectionRate)
            total.info.maxSessionRate = max(total.info.maxSessionRate, other.info.maxSessionRate)
            total.info.jobs += other.info.jobs
            total.info.droppedLogs += other.info.droppedLogs
            total.info.totalBytesOut += other.info.totalBytesOut
            total.info.totalSplicedBytesOut += other.info.totalSplicedBytesOut
        }
        return total
    }

    static func add(_ a: RuntimeSnapshot.Counters, _ b: RuntimeSnapshot.Counters) -> RuntimeSnapshot.Counters {
        var c = a
        c.sessionsCurrent += b.sessionsCurrent
        c.sessionsMax = max(a.sessionsMax, b.sessionsMax)
        c.sessionsTotal += b.sessionsTotal
        c.bytesIn += b.bytesIn
        c.bytesOut += b.bytesOut
        c.connectErrors += b.connectErrors
        c.retries += b.retries
        c.redispatches += b.redispatches
        c.queueCurrent += b.queueCurrent
        c.queueMax = max(a.queueMax, b.queueMax)
        c.loadBalanced += b.loadBalanced
        c.lastSession = recent(a.lastSession, b.lastSession)
        c.clientAborts = optionalSum(a.clientAborts, b.clientAborts)
        c.serverAborts = optionalSum(a.serverAborts, b.serverAborts)
        c.rate = optionalSum(a.rate, b.rate)
        c.rateMax = optionalMax(a.rateMax, b.rateMax)
        return c
    }

    /// The smaller age, where -1 means "never".
    static func recent(_ a: Int, _ b: Int) -> Int {
        if a < 0 { return b }
        if b < 0 { return a }
        return min(a, b)
    }
    static func optionalSum(_ a: Int?, _ b: Int?) -> Int? {
        guard a != nil || b != nil else { return nil }
        return (a ?? 0) + (b ?? 0)
    }
    static func optionalMax(_ a: Int?, _ b: Int?) -> Int? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }
}
