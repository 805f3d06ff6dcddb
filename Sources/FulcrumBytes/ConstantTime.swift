/// Comparing a secret with what a client sent (a password) in a time that
/// tells the client nothing: every byte of the given value is compared, and
/// nothing depends on where the first difference is nor on the secret's
/// bytes; the work depends only on the given value's length.
public enum ConstantTime {
    /// Whether `given` equals `expected`. Each given byte is compared with
    /// the expected byte at its position (cycling when the expected value is
    /// shorter), differences accumulated without a branch on them.
    @inlinable
    public static func equal<Given: Collection, Expected: Collection>(_ given: Given, _ expected: Expected) -> Bool
    where Given.Element == UInt8, Expected.Element == UInt8 {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        var j = expected.startIndex
        let empty = expected.isEmpty
        for byte in given {
            difference |= byte ^ (empty ? 0 : expected[j])
            if !empty {
                j = expected.index(after: j)
                if j == expected.endIndex { j = expected.startIndex }
            }
        }
        return difference == 0
    }

    /// Whether any of `candidates` is (`user`, `password`), every candidate
    /// compared in full: a near miss costs what a far one does.
    @inlinable
    public static func matchesAny(user: String, password: String, in candidates: [(user: String, password: String)]) -> Bool {
        var found: UInt8 = 0
        for candidate in candidates {
            let userMatches: UInt8 = equal(user.utf8, candidate.user.utf8) ? 1 : 0
            let passwordMatches: UInt8 = equal(password.utf8, candidate.password.utf8) ? 1 : 0
            found |= userMatches & passwordMatches
        }
        return found != 0
    }
}
