/// Blank trimming (SP and HTAB) as HTTP and HAProxy trim values: on bytes the
/// result is a slice of the input (same indices), so it locates the value in
/// the message without copying it.
extension BidirectionalCollection where Element == UInt8 {
    @inlinable
    public func trimmingBlanks() -> SubSequence {
        var s = startIndex, e = endIndex
        while s < e, ASCII.isSPHT(self[s]) { s = index(after: s) }
        while e > s, ASCII.isSPHT(self[index(before: e)]) { e = index(before: e) }
        return self[s..<e]
    }
}

extension StringProtocol {
    /// The text without leading and trailing SP / HTAB (configuration words,
    /// cookie names, CLI commands).
    public func trimmingBlanks() -> SubSequence {
        var s = startIndex, e = endIndex
        while s < e, self[s] == " " || self[s] == "\t" { s = index(after: s) }
        while e > s, self[index(before: e)] == " " || self[index(before: e)] == "\t" { e = index(before: e) }
        return self[s..<e]
    }
}
