/// `log ... sample RANGES:SIZE`: a target takes only some lines, chosen by
/// their number within each group of SIZE lines (1-based). `sample 2-3,5:6`
/// takes lines 2, 3, 5, 8, 9, 11… (measured on haproxy 2.6.12). Lines are
/// counted per target, after its level filter, as HAProxy's
/// `process_send_log()` does; several targets with complementary ranges
/// spread the load over syslog servers.
public struct LogSampling: Equatable, Sendable {
    /// The ranges, 1-based, each within 1...size.
    public let ranges: [ClosedRange<Int>]
    public let size: Int
    /// Where the next line falls in its group, 0-based.
    public private(set) var position = 0

    public init?(ranges: [ClosedRange<Int>], size: Int) {
        guard size > 0, !ranges.isEmpty,
              ranges.allSatisfy({ $0.lowerBound >= 1 && $0.upperBound <= size }) else { return nil }
        self.ranges = ranges
        self.size = size
    }


    /// Counts one line and says whether this target sends it.
    public mutating func take() -> Bool {
        let number = position + 1
        position = number == size ? 0 : number
        for r in ranges where r.contains(number) { return true }
        return false
    }
}
