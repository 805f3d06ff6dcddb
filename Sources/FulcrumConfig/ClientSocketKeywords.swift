/// `set-mark MARK` and `set-tos TOS` (manual 4.2): HAProxy reads the value
/// with strtoul / strtol in base 0 (decimal, 0x hex, 0 octal) and says
/// where a stray character starts.
extension ParseSession {
    static func isClientSocketAction(_ text: String) -> Bool { text == "set-mark" || text == "set-tos" }

    /// The option of `actionWord` (`set-mark` or `set-tos`) from its one
    /// argument, the condition already split off; nil after an alert.
    mutating func clientSocketOption(_ actionWord: Word, _ args: [Word], display: String,
                                     at: (Word) -> SourceLocation) -> ClientSocketOption? {
        let mark = actionWord.text == "set-mark"
        guard let w = soleActionArgument(actionWord, args, display: display, missing: "expects exactly 1 argument (integer/hex value)",
                                         at: at) else { return nil }
        let (value, rest) = Self.baseZeroInteger(w.text)
        guard rest.isEmpty else {
            alert(at(w), "'\(display)': invalid character starting at '\(rest)' (integer/hex value expected)")
            return nil
        }
        // strtoul into an unsigned int, strtol into an int: both keep the low 32 bits.
        return mark ? .mark(UInt32(truncatingIfNeeded: value)) : .tos(Int32(truncatingIfNeeded: value))
    }

    /// C's strtol with base 0: the value of the longest prefix read, and
    /// what is left after it.
    static func baseZeroInteger(_ text: String) -> (Int64, Substring) {
        var s = Substring(text)
        s = s.drop { $0 == " " || $0 == "\t" }
        var negative = false
        if let c = s.first, c == "+" || c == "-" { negative = c == "-"; s = s.dropFirst() }
        var radix: Int64 = 10
        if s.hasPrefix("0x") || s.hasPrefix("0X"), let d = s.dropFirst(2).first, d.isHexDigit {
            radix = 16; s = s.dropFirst(2)
        } else if s.hasPrefix("0") {
            radix = 8
        }
        var value: Int64 = 0
        var digits = 0
        while let c = s.first, let d = c.hexDigitValue, Int64(d) < radix {
            value = value &* radix &+ Int64(d)
            digits += 1
            s = s.dropFirst()
        }
        if digits == 0 { return (0, Substring(text)) }
        return (negative ? -value : value, s)
    }
}
