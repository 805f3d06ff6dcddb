import FulcrumConfig

/// One entry of a pattern reference: a key (an ACL pattern or a map key),
/// a map value, the version it belongs to, and the id `show map` prints.
public struct PatternEntry: Equatable, Sendable {
    public var id: UInt64
    public var key: String
    public var value: String?
    public var version: UInt32
}

/// HAProxy's pat_ref: a file's patterns (or one ACL line's inline ones) in
/// order, in versions (`prepare`, `@VERSION`, `commit`), with the
/// expressions that match them (an ACL's method, a map converter's match
/// and output). Every change marks the expressions for a rebuild; they
/// rebuild on their next lookup.
public final class PatternReference: @unchecked Sendable {
    // @unchecked: one process's single thread reads and changes it.
    public let id: Int
    public let fileName: String?
    public let isMap: Bool
    /// Listed and changed by the acl commands (see `PatternReferenceDeclaration.isACL`).
    public let isACL: Bool
    public let display: String
    let location: SourceLocation
    /// Its first user, as HAProxy's errors name it.
    let user: String
    public private(set) var entries: [PatternEntry] = []
    public private(set) var currentVersion: UInt32 = 0
    public private(set) var nextVersion: UInt32 = 0
    public private(set) var expressions: [PatternIndex] = []
    private let makeID: () -> UInt64

    init(_ d: PatternReferenceDeclaration, makeID: @escaping () -> UInt64) {
        id = d.id
        fileName = d.file
        isMap = d.isMap
        isACL = d.isACL
        display = d.display
        location = d.location
        user = d.user
        self.makeID = makeID
    }

    /// The expression for (method, -i, output), made on first use.
    func expression(method: MatchMethod, ignoreCase: Bool, output: MapOutput?, substitutes: Bool = false) -> PatternIndex {
        if let e = expressions.first(where: { $0.method == method && $0.ignoreCase == ignoreCase && $0.output == output
                                              && $0.substitutes == substitutes }) {
            return e
        }
        let e = PatternIndex(method: method, ignoreCase: ignoreCase, output: output, substitutes: substitutes, reference: self)
        expressions.append(e)
        // HAProxy counts every entry an expression indexes.
        entryCount &+= UInt64(entries.count)
        return e
    }

    /// Why an entry cannot be added (the first expression that refuses it).
    func problem(key: String, value: String?) -> String? {
        for (i, e) in expressions.enumerated() {
            if let p = e.problem(key: key, value: value) {
                // HAProxy counted it in the expressions before, then takes one off as it removes it.
                entryCount = entryCount &+ UInt64(i) &- 1
                return p
            }
        }
        return nil
    }

    private func changed() { for e in expressions { e.dirty = true } }

    // MARK: changes (the runtime API's and the loader's)

    func append(key: String, value: String?, version: UInt32? = nil) {
        entries.append(PatternEntry(id: makeID(), key: key, value: value, version: version ?? currentVersion))
        entryCount &+= UInt64(expressions.count)
        changed()
    }

    /// `set map KEY VALUE`: every entry with that key; false when none.
    func set(key: String, value: String) -> Bool {
        var found = false
        for i in entries.indices where entries[i].key == key { entries[i].value = value; found = true }
        if found { changed() }
        return found
    }

    func set(id: UInt64, value: String) -> Bool {
        guard let i = entries.firstIndex(where: { $0.id == id }) else { return false }
        entries[i].value = value
        changed()
        return true
    }

    /// `del map KEY`: every entry with that key, in every version.
    func delete(key: String) -> Bool {
        let before = entries.count
        entries.removeAll { $0.key == key }
        removed(before - entries.count)
        return entries.count != before
    }

    func delete(id: UInt64) -> Bool {
        guard let i = entries.firstIndex(where: { $0.id == id }) else { return false }
        entries.remove(at: i)
        removed(1)
        return true
    }

    /// `clear map [@V]`: the entries of one version.
    func clear(version: UInt32) {
        let before = entries.count
        entries.removeAll { $0.version == version }
        removed(before - entries.count)
        changed()
    }

    /// `prepare map`: a new version, returned.
    func prepare() -> UInt32 {
        nextVersion &+= 1
        return nextVersion
    }

    /// `commit map @V`: V becomes current; older versions go. False when V
    /// is not one prepared after the current one.
    func commit(_ version: UInt32) -> Bool {
        guard version > currentVersion, version <= nextVersion else { return false }
        currentVersion = version
        let before = entries.count
        entries.removeAll { $0.version < version }
        removed(before - entries.count)
        changed()
        return true
    }

    /// HAProxy's entry_cnt, kept as HAProxy 2.6 keeps it: each expression
    /// that indexes an entry adds one, each entry removed takes one off (so
    /// it drifts, and may wrap, once a file has several expressions or an
    /// add was refused, exactly as haproxy's does).
    public private(set) var entryCount: UInt64 = 0

    private func removed(_ n: Int) {
        guard n > 0 else { return }
        entryCount = entryCount &- UInt64(n)
        changed()
    }

    /// The entries of one version (the current one by default).
    public func entries(version: UInt32? = nil) -> [PatternEntry] {
        let v = version ?? currentVersion
        return entries.filter { $0.version == v }
    }
}
