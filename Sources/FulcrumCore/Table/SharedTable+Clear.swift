/// `clear counters` and `clear counters all` (HAProxy's management guide):
/// the first starts the maxima again, the second every statistic, as a
/// restart would. Gauges (current sessions, queue, idle connections) count
/// what exists and are never cleared. Per-worker lines have one writer, so
/// each worker clears its own block; the shared words are cleared by whoever
/// runs the command.
extension SharedTable {
    /// The maxima every worker raises together: smax, qmax, rate_max and the
    /// process-wide rate maxima.
    public func clearSharedMaxima() {
        for line in 0..<proxyLines {
            proxyWord(line, .maxConns).store(0)
            proxyWord(line, .maxQueued).store(0)
            for rate in [ProxyField.sessionRate, .connectionRate, .requestRate] { SharedRate(proxyWord(line, rate)).clearMax() }
        }
        for s in 0..<servers {
            server(s, .maxConns).store(0)
            server(s, .maxQueued).store(0)
            serverRate(s).clearMax()
        }
        for rate in [Header.connectionRate, .sessionRate, .bytesOutRate, .compressInRate, .compressOutRate] {
            globalRate(rate).clearMax()
        }
    }

    /// One block's counters (a worker's own, or the history block): every
    /// cumulative counter with `all`, else only the timer maxima.
    public func clearBlock(_ block: Int, all: Bool) {
        let cleared = Counter.allCases.filter { all ? !$0.isGauge : ($0.isMaximum && $0 != .lastSession) }
        for line in 0..<(proxyLines + servers) {
            for c in cleared { counterWord(block: block, line: line, c).store(0) }
        }
    }
}
