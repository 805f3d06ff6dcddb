/// One piece of a parsed log-format string. The parse result is a plain
/// array of these values: the configuration keeps it, a worker compiles it
/// once (`LogLineFormat`), and header values reuse the same grammar.
public enum LogFormatElement: Hashable, Sendable {
    /// Text written as is (`%%` already folded to `%`).
    case literal([UInt8])
    /// An unescaped space of a `log-format` directive: HAProxy merges runs of
    /// them, and writes none right after another space it wrote.
    case separator
    /// `%ci`, `%{+Q}r`: a variable with the flags in force for it.
    case variable(LogVariable, LogFlags)
    /// `%[src]`, `%{+Q}[req.hdr(host),lower]`: a sample expression the
    /// caller compiles and writes (`LogSampleWriter`).
    case sample(LogSampleExpression, LogFlags)
}

/// `%[fetch(args),converter(args),...]` as written: the fetch and the
/// converters with their arguments kept as text for the caller to resolve,
/// since FulcrumLog knows no fetch.
public struct LogSampleExpression: Hashable, Sendable {
    /// What stood between the brackets.
    public var text: String
    public var fetch: LogSampleCall
    public var converters: [LogSampleCall]

    public init(text: String, fetch: LogSampleCall, converters: [LogSampleCall]) {
        self.text = text; self.fetch = fetch; self.converters = converters
    }
}

/// `name` or `name(a,b)`: a fetch or converter with its raw arguments.
public struct LogSampleCall: Hashable, Sendable {
    public var name: String
    /// The comma-separated arguments between the parentheses; empty for
    /// `name` and `name()`.
    public var arguments: [String]

    public init(name: String, arguments: [String] = []) { self.name = name; self.arguments = arguments }
}

/// Why a format string was refused, worded as HAProxy 2.6 words it (what
/// follows "failed to parse log-format : ").
public struct LogFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
