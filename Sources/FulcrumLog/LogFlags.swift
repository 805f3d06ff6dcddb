/// The options a log-format element carries (`%{+Q,-M}ci`): HAProxy's
/// LOG_OPT_* that 2.6 accepts in a format string. Set per element, with `%o`
/// (`%{+Q}o`) changing the default for the elements after it.
public struct LogFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `M`: an absent text value is written "-" (on by default in log lines,
    /// off in header values, where absent means empty).
    public static let mandatory = LogFlags(rawValue: 1 << 0)
    /// `Q`: text values between double quotes.
    public static let quote = LogFlags(rawValue: 1 << 1)
    /// `X`: addresses, ports and some counters in upper-case hexadecimal.
    public static let hexadecimal = LogFlags(rawValue: 1 << 2)
    /// `E`: `"`, `\` and `]` prefixed with `\` (RFC 5424 structured data).
    public static let escape = LogFlags(rawValue: 1 << 3)

    /// The flag a letter names in `%{...}`; nil for a name HAProxy does not
    /// know (which it ignores).
    public init?(letter: Substring) {
        switch letter {
        case "M": self = .mandatory
        case "Q": self = .quote
        case "X": self = .hexadecimal
        case "E": self = .escape
        default: return nil
        }
    }
}
