import FulcrumConfig

/// Every pattern reference of one loaded configuration (HAProxy's
/// pat_ref list): files read by ACLs and map converters, and each ACL
/// line's inline patterns, numbered as HAProxy numbers them. Each process
/// holds its own: the master answers the runtime API from its copy and
/// sends every change to the workers, which apply it to theirs the same
/// way, so entry ids agree everywhere.
public final class PatternStore: @unchecked Sendable {
    // @unchecked: one process's single thread reads and changes it.
    public private(set) var references: [PatternReference] = []
    private var nextEntry: UInt64 = 0
    /// Told each change a rule's set-map/del-map/add-acl/del-acl made here
    /// (its `PatternFileChange` text), so that every other copy makes it too.
    public var onRuleChange: ((String) -> Void)?

    /// The store rules being compiled take their map and ACL files from.
    @TaskLocal public static var compiling: PatternStore?

    public init(_ declarations: [PatternReferenceDeclaration]) {
        for d in declarations.sorted(by: { $0.id < $1.id }) {
            let r = PatternReference(d) { [unowned self] in self.newEntryID() }
            references.append(r)
            if d.file == nil { for p in d.patterns { r.append(key: p, value: nil) } }
        }
    }

    /// `show map`'s entry ids: HAProxy prints pointers; these are unique
    /// and the same in every process that made the same changes.
    private func newEntryID() -> UInt64 {
        nextEntry &+= 1
        return 0x55_d0_0000_0000 &+ nextEntry &* 0x60
    }

    /// Reads each file reference's entries (`read` gives a file's text, nil
    /// when it cannot be read); problems as HAProxy words them, at the
    /// first line using the file.
    public func load(read: (String) -> String?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for r in references {
            guard let file = r.fileName else { continue }
            guard let text = read(file) else {
                diagnostics.append(Diagnostic(.alert, r.location, Self.problem(r, r.user, "failed to open pattern file <\(file)>.")))
                continue
            }
            do {
                for line in PatternFileText.parse(text, map: r.isMap) {
                    r.append(key: line.key, value: line.value)
                    lines[r.entries[r.entries.count - 1].id] = line.line
                }
            }
        }
        return diagnostics
    }

    /// File line numbers of the loaded entries (for the load's diagnostics).
    private var lines: [UInt64: Int] = [:]

    /// Checks every loaded entry against the expressions that read it
    /// (call once rules are compiled): a key an ACL cannot parse is an
    /// error at that ACL's line, naming the file's line.
    public func validate() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // HAProxy stops at a file's first bad line.
        references: for r in references {
            guard let file = r.fileName else { continue }
            for e in r.entries {
                for x in r.expressions {
                    guard let p = x.problem(key: e.key, value: e.value) else { continue }
                    let at = lines[e.id].map { " at line \($0) of file '\(file)'" } ?? ""
                    diagnostics.append(Diagnostic(.alert, x.userLocation ?? r.location, Self.problem(r, x.user ?? r.user, "\(p)\(at).")))
                    continue references
                }
            }
        }
        lines = [:]
        return diagnostics
    }

    /// HAProxy's framing of a file's problem: an ACL's or a map converter's.
    static func problem(_ r: PatternReference, _ user: String, _ text: String) -> String {
        r.isMap ? "invalid args in \(user) : \(text)" : "error detected while parsing \(user) : \(text)"
    }

    // MARK: lookups

    /// `#ID` or a file name, as the CLI takes them.
    public func reference(_ name: String) -> PatternReference? {
        if name.hasPrefix("#") {
            guard let id = Int(name.dropFirst()) else { return nil }
            return references.first { $0.id == id }
        }
        return references.first { $0.fileName == name }
    }

    public func reference(id: Int) -> PatternReference? { references.first { $0.id == id } }

    /// The expression an ACL's `-f FILE` (or inline patterns) matches with.
    public func aclExpression(file: String?, inlineReference: Int?, method: MatchMethod, ignoreCase: Bool,
                              user: String, location: SourceLocation) -> PatternIndex? {
        let r = file.flatMap { f in references.first { $0.fileName == f } } ?? inlineReference.flatMap { reference(id: $0) }
        guard let r else { return nil }
        let x = r.expression(method: method, ignoreCase: ignoreCase, output: nil)
        if x.user == nil { x.user = user; x.userLocation = location }
        return x
    }

    /// The expression a map converter looks its input up with.
    public func mapExpression(_ c: MapConverter) -> PatternIndex? {
        guard let r = references.first(where: { $0.fileName == c.file }) else { return nil }
        let x = r.expression(method: c.method, ignoreCase: false, output: c.output, substitutes: c.substitutes)
        if x.user == nil { x.user = "converter '\(c.name)'"; x.userLocation = r.location }
        return x
    }
}

/// The text of a pattern file as HAProxy 2.6 reads it (pattern.c): a '#'
/// in the first column makes a comment, leading blanks go, the line ends
/// at CR or LF, and a line left empty is skipped. An ACL file's pattern
/// is the rest of the line (inner and trailing blanks kept); a map file's
/// key ends at the first blank, and its value is the rest, blanks around
/// it trimmed.
public enum PatternFileText {
    public struct Line: Equatable, Sendable {
        public var key: String
        public var value: String?
        public var line: Int
    }

    public static func parse(_ text: String, map: Bool) -> [Line] {
        var out: [Line] = []
        var number = 0
        // HAProxy reads with fgets: a line ends at LF; CR ends the pattern.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var line = raw[...]
            if let cr = line.firstIndex(of: UInt8(ascii: "\r")) { line = line[..<cr] }
            if line.first == UInt8(ascii: "#") { continue }
            while let f = line.first, f == 0x20 || f == 0x09 { line = line.dropFirst() }
            if line.isEmpty { continue }
            guard map else {
                out.append(Line(key: String(decoding: line, as: UTF8.self), value: nil, line: number))
                continue
            }
            let keyEnd = line.firstIndex { $0 == 0x20 || $0 == 0x09 } ?? line.endIndex
            var value = line[keyEnd...]
            while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
            out.append(Line(key: String(decoding: line[..<keyEnd], as: UTF8.self),
                            value: String(decoding: value, as: UTF8.self), line: number))
        }
        // The split yields an empty last piece after a final newline; it was skipped as empty.
        return out
    }
}
