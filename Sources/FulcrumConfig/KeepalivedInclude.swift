/// keepalived's `include PATTERN`: the files the pattern names (a shell glob,
/// relative to the including file's directory) are read in its place, word
/// for word, wherever the line stands, inside a block or not. The files are
/// found and read by the caller (`KeepalivedIncludeResolver`, the daemon's
/// file system), so this module stays free of I/O; each included word keeps
/// its own file, line and column.
public typealias KeepalivedIncludeResolver = @Sendable (_ pattern: String, _ includingFile: String) -> [ConfigSource]

extension KeepalivedParser {
    /// How deep includes may nest: a file including itself stops here.
    static let maxIncludeDepth = 8

    /// `tokens` with every `include` line replaced by the words of the files it names.
    mutating func expandIncludes(_ tokens: [KeepalivedToken], depth: Int = 0) -> [KeepalivedToken] {
        var out: [KeepalivedToken] = []
        out.reserveCapacity(tokens.count)
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            let startsLine = i == 0 || tokens[i - 1].location.line != token.location.line
                || tokens[i - 1].location.file != token.location.file
            guard startsLine, !token.quoted, token.text == "include" else {
                out.append(token)
                i += 1
                continue
            }
            var arguments: [KeepalivedToken] = []
            i += 1
            while i < tokens.count, tokens[i].location.line == token.location.line,
                  tokens[i].location.file == token.location.file, !tokens[i].isBrace {
                arguments.append(tokens[i])
                i += 1
            }
            guard arguments.count == 1 else {
                alert(token.location, "'include' expects one file name or pattern")
                continue
            }
            guard let resolver = includeResolver else {
                alert(token.location, "'include' is not available here (no file system to read '\(arguments[0].text)' from)")
                continue
            }
            guard depth < Self.maxIncludeDepth else {
                alert(token.location, "include nesting deeper than \(Self.maxIncludeDepth) at '\(arguments[0].text)'")
                continue
            }
            let sources = resolver(arguments[0].text, token.location.file)
            if sources.isEmpty {
                // keepalived goes on without them, saying so.
                warning(token.location, "Config files missing '\(arguments[0].text)'.")
                continue
            }
            for source in sources {
                let (included, tokenDiagnostics) = KeepalivedTokenizer.tokenize(source.text, file: source.name, configID: configID)
                diagnostics += tokenDiagnostics
                out += expandIncludes(included, depth: depth + 1)
            }
        }
        return out
    }
}
