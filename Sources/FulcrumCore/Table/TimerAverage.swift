/// HAProxy's qtime/ctime/rtime/ttime: each an average over the last 1024
/// samples, kept as a sliding sum (HAProxy's swrate): while fewer samples
/// than the window were taken the sum is exact, after that each sample
/// replaces one window-th of it. Per worker, so the reader weighs the
/// workers' sums by their sample counts.
public enum TimerAverage {
    public static let window: UInt64 = 1024

    /// The sum after one more sample; `samples` counts the ones before it.
    @inlinable public static func add(sum: UInt64, samples: UInt64, value: UInt64) -> UInt64 {
        samples < window ? sum &+ value : sum &- (sum + window - 1) / window &+ value
    }

    /// The samples a sum stands for.
    @inlinable public static func weight(samples: UInt64) -> UInt64 { min(samples, window) }

    /// The average over several workers' (sum, samples); 0 without samples.
    public static func average(_ parts: [(sum: UInt64, samples: UInt64)]) -> Int {
        var sum: UInt64 = 0, weight: UInt64 = 0
        for p in parts where p.samples > 0 { sum &+= p.sum; weight &+= TimerAverage.weight(samples: p.samples) }
        return weight == 0 ? 0 : Int((sum + weight / 2) / weight)
    }
}

extension SharedTable {
    /// The four timers of one finished stream or exchange, in ms.
    public struct StreamTimers {
        public var queue: UInt64, connect: UInt64, response: UInt64, total: UInt64
        @inlinable public init(queue: UInt64, connect: UInt64, response: UInt64, total: UInt64) {
            self.queue = queue; self.connect = connect; self.response = response; self.total = total
        }
    }

    /// Adds one sample of the four timers to a counter line (single writer).
    @inlinable public func record(_ t: StreamTimers, into word: (Counter) -> SharedWord) {
        let samples = word(.timerSamples).load()
        func add(_ sum: Counter, _ max: Counter, _ v: UInt64) {
            let s = word(sum)
            s.store(TimerAverage.add(sum: s.load(), samples: samples, value: v))
            let m = word(max)
            if v > m.load() { m.store(v) }
        }
        add(.queueTimeSum, .queueTimeMax, t.queue)
        add(.connectTimeSum, .connectTimeMax, t.connect)
        add(.responseTimeSum, .responseTimeMax, t.response)
        add(.totalTimeSum, .totalTimeMax, t.total)
        word(.timerSamples).store(samples &+ 1)
    }
}
