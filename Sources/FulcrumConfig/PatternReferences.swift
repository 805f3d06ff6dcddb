/// The pattern references a configuration makes, numbered in HAProxy 2.6's
/// order: while parsing, every ACL line makes one for each `-f` file it
/// names first (and for the map files of its criterion's converters), then
/// one for its inline patterns; rules' map converters make theirs as their
/// line is read; then HAProxy's own two (its httpclient) take the next
/// ids; then the dynamic `use_backend` names, which HAProxy resolves after
/// parsing, make theirs. A file is one reference however many users it has
/// (each appends ", by ... at file 'F' line N" to its description), and it
/// is either an ACL file (one column) or a map file (two), never both.
struct PatternReferenceRegistry {
    var declarations: [PatternReferenceDeclaration] = []
    /// Map files of `use_backend` names, numbered at the end.
    var deferred: [(file: String, location: SourceLocation, user: String)] = []
    var nextID = 0

    /// Registers a use of `file`; the error message when the file is
    /// already used with the other number of columns.
    mutating func useFile(_ file: String, map: Bool, location: SourceLocation, user: String, deferred later: Bool,
                          byACL: Bool = false) -> String? {
        defer { if byACL, let i = declarations.firstIndex(where: { $0.file == file }) { declarations[i].isACL = true } }
        if let i = declarations.firstIndex(where: { $0.file == file }) {
            if declarations[i].isMap != map {
                return map
                    ? "The file \"\(file)\" is already used as one column file and cannot be used by as two column file."
                    : "The file \"\(file)\" is already used as two column file and cannot be used by as one column file."
            }
            if !later { declarations[i].display += ", by \(map ? "map" : "acl") at file '\(location.file)' line \(location.line)" }
        }
        if later {
            deferred.append((file, location, user))
            return nil
        }
        if declarations.contains(where: { $0.file == file }) { return nil }
        declarations.append(PatternReferenceDeclaration(
            id: nextID, file: file, isMap: map,
            display: "pattern loaded from file '\(file)' used by \(map ? "map" : "acl") at file '\(location.file)' line \(location.line)",
            location: location, user: user))
        nextID += 1
        return nil
    }

    /// An ACL line's inline patterns; returns its id.
    mutating func inline(criterion: String, patterns: [String], location: SourceLocation) -> Int {
        declarations.append(PatternReferenceDeclaration(
            id: nextID, file: nil, isMap: false,
            display: "acl '\(criterion)' file '\(location.file)' line \(location.line)",
            patterns: patterns, location: location))
        nextID += 1
        return nextID - 1
    }

    /// After parsing: HAProxy's own references, then the deferred uses.
    mutating func finish() -> [PatternReferenceDeclaration] {
        nextID += PatternNumbering.reservedAfterParsing
        let uses = deferred
        deferred = []
        for u in uses {
            if let i = declarations.firstIndex(where: { $0.file == u.file }) {
                declarations[i].display += ", by map at file '\(u.location.file)' line \(u.location.line)"
            } else {
                _ = useFile(u.file, map: true, location: u.location, user: u.user, deferred: false)
            }
        }
        return declarations
    }
}

extension ParseSession {
    /// Registers the map files a parsed log-format value's converters read;
    /// false after reporting a file used both ways.
    mutating func registerMaps(_ f: LogFormat, word: Word, at: (Word) -> SourceLocation) -> Bool {
        for case .sample(let fetch) in f.parts where !registerMaps(fetch.converters, location: at(word)) { return false }
        return true
    }

    mutating func registerMaps(_ converters: [SampleConverter], location: SourceLocation) -> Bool {
        for case .stickTable(let t) in converters { stickTableConverters.append((t, location)) }
        for case .map(let m) in converters {
            if let problem = patternReferences.useFile(m.file, map: true, location: location, user: "converter '\(m.name)'",
                                                       deferred: deferPatternReferences) {
                alert(location, "invalid args in converter '\(m.name)' : \(problem)")
                return false
            }
        }
        return true
    }
}
