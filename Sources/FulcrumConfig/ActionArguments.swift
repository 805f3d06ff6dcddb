/// The one argument of a rule action (the condition already split off),
/// refused with HAProxy's words when missing or followed by another.
extension ParseSession {
    /// `actionWord`'s sole argument; nil after an alert. `missing`: what the
    /// alert says when there is none.
    mutating func soleActionArgument(_ actionWord: Word, _ args: [Word], display: String, missing: String,
                                     at: (Word) -> SourceLocation) -> Word? {
        guard let w = args.first else {
            alert(at(actionWord), "'\(display)' \(missing)")
            return nil
        }
        if args.count > 1 {
            alert(at(args[1]), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[1].text)'")
            return nil
        }
        return w
    }
}
