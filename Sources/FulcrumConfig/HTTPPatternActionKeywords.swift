/// `set-map(FILE) KEY VALUE`, `del-map(FILE) KEY`, `add-acl(FILE) KEY` and
/// `del-acl(FILE) KEY` in `http-request` and `http-response` (manual 4.2),
/// with HAProxy 2.6's messages.
extension PatternFileAction.Kind {
    /// The kind an action word (`set-map(...)`...) names, nil for other actions.
    public static func of(_ word: String) -> Self? {
        allCases.first { word.hasPrefix($0.rawValue + "(") }
    }
}

extension ParseSession {
    /// Reads a pattern file action; `args` are the words after the action up
    /// to `if`/`unless`. Reports at the word and returns nil when invalid.
    mutating func patternFileAction(_ actionWord: Word, _ args: [Word], rule: String,
                                    at: (Word) -> SourceLocation) -> PatternFileAction? {
        let text = actionWord.text
        let display = "\(rule) \(text)"
        guard let kind = PatternFileAction.Kind.of(text) else { return nil }
        let inner = text.dropFirst(kind.rawValue.count + 1)
        // HAProxy takes what follows the parenthesis as is (an empty or
        // unclosed name gives an action that never finds its file): refused here.
        guard inner.hasSuffix(")"), inner.count > 1 else {
            alert(at(actionWord), "error detected while parsing '\(display)' rule : expects a file name between parentheses, as '\(kind.rawValue)(<file>)'")
            return nil
        }
        let file = String(inner.dropLast())
        guard args.count >= kind.argumentCount else {
            alert(at(actionWord), "error detected while parsing '\(display)' rule : expects exactly \(kind.argumentCount) arguments.")
            return nil
        }
        if args.count > kind.argumentCount {
            alert(at(args[kind.argumentCount]),
                  "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[kind.argumentCount].text)'.")
            return nil
        }
        guard let key = logFormat(args[0], in: display, at: at) else { return nil }
        var value: LogFormat? = nil
        if kind == .setMap {
            guard let v = logFormat(args[1], in: display, at: at) else { return nil }
            value = v
        }
        return PatternFileAction(kind: kind, file: file, key: key, value: value)
    }
}
