import FulcrumConfig

/// What a `set-map|del-map|add-acl|del-acl` action does to a pattern
/// reference, as HAProxy 2.6's actions do it (http_act.c): set-map sets every
/// entry with the key, else adds one; add-acl adds the key unless present;
/// del-map/del-acl remove every entry with the key. Each is idempotent, so a
/// change made in one worker can be made again by the master and by every
/// worker, itself included, in the order the master saw them: every copy
/// ends the same. A change travels as text (`encoded`), which the pattern
/// journal keeps and replays like the runtime API's commands.
public struct PatternFileChange: Equatable, Sendable {
    public var kind: PatternFileAction.Kind
    public var file: String
    public var key: String
    public var value: String?

    public init(kind: PatternFileAction.Kind, file: String, key: String, value: String?) {
        self.kind = kind; self.file = file; self.key = key; self.value = value
    }

    /// Starts every encoded change; no CLI command can begin so.
    static let marker = "\u{1}pattern-change"
    static let separator: Character = "\u{0}"

    /// One line of text: keys and values are C strings in HAProxy, so NUL separates them.
    public var encoded: String {
        var parts = [Self.marker, kind.rawValue, file, key]
        if let value { parts.append(value) }
        return parts.joined(separator: String(Self.separator))
    }

    public init?(encoded text: String) {
        guard text.hasPrefix(Self.marker) else { return nil }
        let parts = text.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4 || parts.count == 5, let kind = PatternFileAction.Kind(rawValue: parts[1]) else { return nil }
        self.init(kind: kind, file: parts[2], key: parts[3], value: parts.count == 5 ? parts[4] : nil)
    }
}

extension PatternStore {
    /// A rule's action: made here, then reported to `onRuleChange` when it changed something.
    public func ruleChange(_ change: PatternFileChange) {
        if apply(change) { onRuleChange?(change.encoded) }
    }

    /// Makes `change`; false when nothing changed (no such file, nothing to
    /// delete, the entry already there, a value the map cannot hold).
    @discardableResult
    public func apply(_ change: PatternFileChange) -> Bool {
        guard let r = references.first(where: { $0.fileName == change.file }) else { return false }
        switch change.kind {
        case .delMap, .delACL:
            return r.delete(key: change.key)
        case .addACL:
            guard !r.hasEntry(key: change.key), r.problem(key: change.key, value: nil) == nil else { return false }
            r.append(key: change.key, value: nil)
            return true
        case .setMap:
            let value = change.value ?? ""
            if r.hasEntry(key: change.key) {
                // The value it already has: nothing to tell the other processes.
                if !r.entries.contains(where: { $0.key == change.key && $0.value != value }) { return false }
                for x in r.expressions { if let output = x.output, PatternIndex.sample(value, output) == nil { return false } }
                return r.set(key: change.key, value: value)
            }
            guard r.problem(key: change.key, value: value) == nil else { return false }
            r.append(key: change.key, value: value)
            return true
        }
    }

    /// The text a worker runs when the master sends it a change: nil when
    /// `text` is no `PatternFileChange`.
    public func apply(encoded text: String) -> Bool? {
        guard let change = PatternFileChange(encoded: text) else { return nil }
        return apply(change)
    }
}

extension PatternReference {
    /// Whether an entry of any version has this key (HAProxy's pat_ref_find_elt).
    func hasEntry(key: String) -> Bool { entries.contains { $0.key == key } }
}
