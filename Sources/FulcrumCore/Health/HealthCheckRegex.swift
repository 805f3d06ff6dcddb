/// A regular expression of a check rule (`rstatus`, `rstring`, `rbinary`),
/// compiled once when the configuration is loaded. Unanchored search, as
/// HAProxy's regex_exec.
public struct CheckRegex: @unchecked Sendable {
    // @unchecked: Regex is immutable once built; it is only read when matching.
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Throws when the pattern is not a valid regular expression.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try Regex(pattern)
    }

    /// Bytes are read as UTF-8 (invalid sequences become U+FFFD).
    public func matches<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        matches(String(decoding: bytes, as: UTF8.self))
    }

    public func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
