/// The readers every keepalived block shares: one argument, a number in a
/// range, a flag, a block or none, a script command, a notify script, and the
/// alert for a keyword the block does not know (with keepalived's wording).
extension KeepalivedParser {
    mutating func unknown(_ node: KeepalivedNode, in context: String, served: [String], unserved: Set<String>) {
        let word = node.keyword.text
        if unserved.contains(word) {
            alert(node.keyword.location, "keepalived keyword '\(word)' is not supported (in \(context))")
            return
        }
        let hint = Suggestion.didYouMean(word, among: served)
        alert(node.keyword.location, "unknown keyword '\(word)' in \(context)\(hint)")
    }

    /// `node` with a keepalived 2.2.8 "primary" keyword renamed to the "master"
    /// one it stands for, so each block reads one spelling.
    func canonical(_ node: KeepalivedNode) -> KeepalivedNode {
        guard let master = KeepalivedKeywords.primaryAliases[node.keyword.text] else { return node }
        var n = node
        n.keyword.text = master
        return n
    }

    /// The single argument of `node`, or an alert.
    mutating func single(_ node: KeepalivedNode, _ what: String = "an argument") -> KeepalivedToken? {
        guard let first = node.arguments.first else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects \(what)")
            return nil
        }
        for extra in node.arguments.dropFirst() {
            alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text) \(first.text)'")
        }
        return first
    }

    mutating func noBlock(_ node: KeepalivedNode) {
        if let block = node.block, let first = block.first {
            alert(first.keyword.location, "'\(node.keyword.text)' takes no block")
        }
    }

    mutating func needsBlock(_ node: KeepalivedNode) -> [KeepalivedNode]? {
        guard let block = node.block else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects a block: '\(node.keyword.text) { ... }'")
            return nil
        }
        for extra in node.arguments {
            alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text)'")
        }
        return block
    }

    mutating func number(_ node: KeepalivedNode, _ range: ClosedRange<Int>, _ what: String) -> Int? {
        noBlock(node)
        guard let word = single(node) else { return nil }
        guard let n = KeepalivedValues.unsigned(word.text, in: range) else {
            alert(word.location, "\(what) '\(word.text)' not valid - must be between \(range.lowerBound) & \(range.upperBound)")
            return nil
        }
        return n
    }

    /// A flag keyword with an optional boolean (`smtp_alert`, `vrrp_min_garp false`).
    mutating func flag(_ node: KeepalivedNode) -> Bool? {
        noBlock(node)
        guard let word = node.arguments.first else { return true }
        for extra in node.arguments.dropFirst() {
            alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text) \(word.text)'")
        }
        guard let value = KeepalivedValues.boolean(word.text) else {
            alert(word.location, "invalid value '\(word.text)' for '\(node.keyword.text)' (expected true/false, on/off or yes/no)")
            return nil
        }
        return value
    }

    /// A keyword keepalived reads as "on" whatever follows it (`vrrp_strict`,
    /// `dont_track_primary`...): `vrrp_strict no` still enables strict mode there,
    /// so an argument gets a warning saying so.
    mutating func presenceFlag(_ node: KeepalivedNode) {
        noBlock(node)
        if let word = node.arguments.first {
            warning(word.location, "'\(node.keyword.text)' takes no argument: keepalived ignores '\(word.text)' and turns it on")
        }
    }

    mutating func command(_ node: KeepalivedNode) -> VRRPCommand? {
        noBlock(node)
        guard !node.arguments.isEmpty else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects a script path and its arguments")
            return nil
        }
        guard let arguments = KeepalivedTokenizer.commandArguments(node.arguments), !arguments.isEmpty else {
            alert(node.arguments[0].location, "unterminated quote in the script of '\(node.keyword.text)'")
            return nil
        }
        return VRRPCommand(location: node.arguments[0].location, arguments: arguments)
    }

    /// Every word of a value block (`group`, `notification_email`), one or several a line.
    func values(_ block: [KeepalivedNode]) -> [KeepalivedToken] { block.flatMap(\.words) }

    /// keepalived keeps the first notify script of a kind and ignores the others.
    mutating func setNotify(_ node: KeepalivedNode, _ kind: WritableKeyPath<VRRPNotifyScripts, VRRPCommand?>,
                            _ notify: inout VRRPNotifyScripts, owner: String) {
        if notify[keyPath: kind] != nil {
            warning(node.keyword.location, "\(owner) \(node.keyword.text) script already specified - ignoring this one")
            return
        }
        if let c = command(node) { notify[keyPath: kind] = c }
    }
}

/// The words of a route or rule line, read option by option: `next` gives
/// each option word, `value` the word after it (with an alert when the line
/// ends there).
struct KeepalivedOptionWords {
    let words: [KeepalivedToken]
    /// "route" or "rule", for the messages.
    let kind: String
    private var index = -1

    init(_ line: KeepalivedNode, kind: String) { words = line.words; self.kind = kind }

    mutating func next() -> KeepalivedToken? {
        index += 1
        return index < words.count ? words[index] : nil
    }

    /// The word `next` would give, without taking it.
    var upcoming: KeepalivedToken? { index + 1 < words.count ? words[index + 1] : nil }

    mutating func value(_ parser: inout KeepalivedParser) -> KeepalivedToken? {
        guard index + 1 < words.count else {
            parser.alert(words[index].location, "\(kind) option '\(words[index].text)' expects a value")
            return nil
        }
        index += 1
        return words[index]
    }
}

extension KeepalivedParser {
    /// `tos` / `dsfield` of a route or rule: 0-255 or 0xNN.
    mutating func typeOfService(_ w: KeepalivedToken, _ kind: String) -> UInt8? {
        guard let t = KeepalivedValues.byte(w.text) else {
            alert(w.location, "invalid \(kind) tos '\(w.text)' (0-255, or 0xNN)")
            return nil
        }
        return t
    }
}
