/// The `program` section (HAProxy's master-worker programs): `command`,
/// `user`, `group`, `[no] option start-on-reload`.
extension ParseSession {
    static let programKeywords = ["command", "user", "group", "option", "no"]

    mutating func openProgram(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "'program' expects <name> as an argument")
            current = .skipped("program")
            return
        }
        for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' after 'program \(words[1].text)'") }
        if let bad = ValueParsers.invalidNameCharacter(words[1].text) {
            alert(at(words[1]), "character '\(bad)' is not permitted in program name '\(words[1].text)'")
        }
        if let other = programs.first(where: { $0.name == words[1].text }) {
            alert(at(words[1]), "program '\(words[1].text)' has the same name as the program declared at \(other.location)")
        }
        programs.append(Program(name: words[1].text, location: loc))
        current = .program(programs.count - 1)
    }

    mutating func programKeyword(_ words: [Word], program i: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        switch keyword {
        case "command":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'command' expects a command and its arguments")
                return
            }
            if !programs[i].command.isEmpty { alert(loc, "'command' already specified for program '\(programs[i].name)'") }
            programs[i].command = words.dropFirst().map(\.text)
        case "user", "group":
            guard words.count == 2, !words[1].text.isEmpty else {
                alert(loc, "'\(keyword)' expects exactly one argument")
                return
            }
            if keyword == "user" { programs[i].user = words[1].text } else { programs[i].group = words[1].text }
        case "option", "no":
            let negated = keyword == "no"
            let rest = negated ? Array(words.dropFirst()) : words
            guard rest.count == 2, rest[0].text == "option" else {
                alert(loc, "expected '[no] option start-on-reload' in program section")
                return
            }
            guard rest[1].text == "start-on-reload" else {
                alert(at(rest[1]), "unknown option '\(rest[1].text)' in 'program' section"
                      + hint(rest[1].text, ["start-on-reload"]))
                return
            }
            programs[i].startOnReload = !negated
        default:
            alert(loc, "unknown keyword '\(keyword)' in 'program' section" + hint(keyword, Self.programKeywords))
        }
    }

    mutating func validatedPrograms() -> [Program] {
        var out: [Program] = []
        for p in programs {
            if p.command.isEmpty {
                alert(p.location, "program '\(p.name)' has no 'command'")
                continue
            }
            out.append(p)
        }
        return out
    }
}
