/// `setenv`, `presetenv`, `resetenv` and `unsetenv`: HAProxy changes its own
/// environment while it reads the file, so a later `"${NAME}"` sees the
/// change. The parser stays pure: it edits the environment it expands from
/// and hands the result to the daemon (`GlobalSettings.environment`), which
/// makes it the process environment before anything is forked.
extension ParseSession {
    static let environmentKeywords: Set<String> = ["setenv", "presetenv", "resetenv", "unsetenv"]

    mutating func environmentKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let args = words.dropFirst().map(\.text)
        switch keyword {
        case "setenv", "presetenv":
            guard args.count == 2 else {
                alert(at(words[0]), "'\(keyword)' expects exactly 2 arguments.")
                return
            }
            if keyword == "setenv" || environment[args[0]] == nil { environment[args[0]] = args[1] }
        case "unsetenv":
            guard !args.isEmpty else {
                alert(at(words[0]), "'\(keyword)' expects at least one argument.")
                return
            }
            for name in args { environment[name] = nil }
        default:
            // resetenv: keep only the names listed (none: an empty environment).
            let kept = Set(args)
            environment = environment.filter { kept.contains($0.key) }
        }
        global.environment = environment
    }
}
