/// Entry point of the HAProxy-syntax parser. Pure: the caller supplies file
/// contents and the environment; the result carries every diagnostic found,
/// not only the first.
public struct ParseResult: Sendable {
    public var configuration: Configuration
    public var diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .alert } }
    public init(configuration: Configuration, diagnostics: [Diagnostic]) {
        self.configuration = configuration; self.diagnostics = diagnostics
    }
}

public enum ConfigParser {
    /// The HAProxy configuration language level Fulcrum follows; this is what
    /// `.if version_atleast(X)` compares against.
    public static let compatibleVersion = "2.6"

    public static func parse(_ sources: [ConfigSource], environment: [String: String]) -> ParseResult {
        // Placeholder until the parser lands: everything is an error.
        var diags: [Diagnostic] = []
        for s in sources { diags.append(Diagnostic(.alert, SourceLocation(file: s.name, line: 1), "parser not implemented")) }
        return ParseResult(configuration: Configuration(), diagnostics: diags)
    }
}
