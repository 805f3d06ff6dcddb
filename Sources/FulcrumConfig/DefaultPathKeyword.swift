/// Global `default-path { current | config | parent | origin <path> }`: the
/// directory relative file names (certificates, error files...) are read
/// from. HAProxy chdir()s while it parses and reads each file at its
/// keyword; Fulcrum reads them once the configuration is parsed
/// (ConfigLoader, from `GlobalSettings.defaultPath`), so one directory serves
/// the whole configuration: a second `default-path` naming another one is refused.
extension ParseSession {
    mutating func defaultPathKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        let expects = "'default-path' expects 'current', 'config', 'parent' or 'origin' followed by a path."
        guard words.count >= 2 else { alert(loc, expects); return }
        let policy = words[1]
        let directory: String?
        var used = 2
        // The file this line is in, as named on the command line.
        let file = loc.file
        let fileDirectory: String = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        switch policy.text {
        case "current": directory = nil
        case "config": directory = fileDirectory.isEmpty ? "/" : fileDirectory
        case "parent": directory = (fileDirectory.isEmpty ? "" : fileDirectory) + "/.."
        case "origin":
            guard words.count >= 3, !words[2].text.isEmpty else {
                alert(at(policy), "'default-path' 'origin' expects a path as an argument")
                return
            }
            directory = words[2].text
            used = 3
        default:
            alert(at(policy), expects + hint(policy.text, ["current", "config", "parent", "origin"]))
            return
        }
        for extra in words.dropFirst(used) { alert(at(extra), "unexpected argument '\(extra.text)' for 'default-path'") }
        if let previous = globalLocations["default-path"], global.defaultPath != directory {
            alert(loc, "a second 'default-path' naming another directory is not supported yet (the first one is at \(previous))")
            return
        }
        globalLocations["default-path"] = loc
        global.defaultPath = directory
    }
}
