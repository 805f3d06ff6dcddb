import FulcrumConfig
import FulcrumCore

/// One generation's map and ACL files at runtime (HAProxy 2.6's `show|get|
/// add|del|set|clear|prepare|commit map|acl`): the master's copy of the
/// pattern store, which answers the runtime API, and the journal of the
/// changes made since the generation loaded. A change is run here first,
/// then sent to every worker, which runs it on its own copy (the same
/// code on the same entries gives the same entries and ids); a worker
/// started later is sent the journal before it accepts a connection. A
/// reload reads the files again and carries the runtime changes of each
/// file still as it was read (`carry`); HAProxy forgets them.
final class GenerationPatterns {
    let store: PatternStore
    /// The changing commands, in order, each as the text a worker runs
    /// (command, then "\n" and the payload when there is one).
    var journal: [String] { entries.compactMap { $0 } }
    /// The journal with holes: a rule's change (set-map & co.) replaces the
    /// previous one of the same file and key made since the last command,
    /// since only the last decides that key (`ruleIndex` finds it), so
    /// rules changing a map per request do not grow it without bound.
    private var entries: [String?] = []
    private var ruleIndex: [String: Int] = [:]
    private var holes = 0

    private func append(_ text: String) {
        entries.append(text)
        ruleIndex.removeAll(keepingCapacity: true)
    }

    /// The generation's backends, for `set dynamic-cookie-key` and
    /// `enable|disable dynamic-cookie` (journaled and sent as map changes are).
    var backendNames: Set<String> = []

    init(_ store: PatternStore?) { self.store = store ?? PatternStore([]) }

    /// Largest payload part sent in one control message (a worker reads
    /// messages of up to 64 KiB).
    static let payloadPart = 32 * 1024

    struct Outcome {
        /// The answer, with the CLI's closing empty line.
        var text: String
        /// What each worker must run, in order (empty: nothing changed).
        var forWorkers: [String]
    }

    /// Runs a pattern command; nil when `command` is not one. A payload is
    /// run in parts of whole lines, each sent on its own, stopping at the
    /// first part that fails as HAProxy stops at its first bad line.
    func run(_ command: String, payload: String?, level: Int = RuntimeLevel.admin.rawValue) -> Outcome? {
        let words = RuntimeCommandLine.words(command)
        // HAProxy asks admin level of the dynamic-cookie commands before their arguments.
        if level < RuntimeLevel.admin.rawValue, DynamicCookieCommand.parse(words) != nil {
            return Outcome(text: "Permission denied\n" + RuntimeCLI.endOfAnswer, forWorkers: [])
        }
        if let (text, change) = DynamicCookieCommand.answer(words, backends: backendNames) {
            if change != nil { append(command) }
            return Outcome(text: text + RuntimeCLI.endOfAnswer, forWorkers: change != nil ? [command] : [])
        }
        guard let payload, !payload.isEmpty else {
            guard let reply = store.run(words, payload: payload) else { return nil }
            if reply.changed { append(command) }
            return Outcome(text: reply.text + RuntimeCLI.endOfAnswer, forWorkers: reply.changed ? [command] : [])
        }
        var parts: [String] = []
        var current = ""
        for line in payload.split(separator: "\n", omittingEmptySubsequences: false) {
            if !current.isEmpty && current.utf8.count + line.utf8.count + 1 > Self.payloadPart {
                parts.append(current)
                current = ""
            }
            current += current.isEmpty ? String(line) : "\n" + line
        }
        if !current.isEmpty { parts.append(current) }
        var sent: [String] = []
        var text = ""
        for part in parts {
            guard let reply = store.run(words, payload: part) else { return nil }
            text = reply.text
            if reply.changed {
                let message = command + "\n" + part
                append(message)
                sent.append(message)
            }
            if !reply.text.isEmpty { break }
        }
        return Outcome(text: text + RuntimeCLI.endOfAnswer, forWorkers: sent)
    }

    /// True for the commands that change entries or versions (answered by
    /// the master and sent to every worker, even when addressed to one).
    static func isChange(_ command: String) -> Bool {
        let w = RuntimeCommandLine.words(command)
        if DynamicCookieCommand.parse(w) != nil { return true }
        guard w.count >= 2, w[1] == "map" || w[1] == "acl" else { return false }
        return ["add", "set", "del", "clear", "prepare", "commit"].contains(w[0])
    }

    /// Takes the changes the previous master image made (its `journal`);
    /// its workers have them already.
    func restore(_ changes: [String]) {
        for text in changes where Self.apply(text, to: store) != nil {
            if let change = PatternFileChange(encoded: text) { journalRuleChange(change, text) } else { append(text) }
        }
    }

    /// Carries into this generation (a reload's, before its workers start)
    /// what `previous` holds of each file at runtime, when the file still
    /// has the text `previous` read (`readThen`; `readNow` is this one's):
    /// runtime changes survive a reload, as the runtime API issue asks
    /// (docs/differences.md). A file changed since is taken as written, the
    /// way an operator who wrote the changes back expects. Carried as the
    /// commands a worker runs (clear, then the entries), so the journal
    /// gives the new workers the same entries.
    func carry(from previous: GenerationPatterns, readThen: [String: String], readNow: [String: String]) {
        for old in previous.store.references {
            guard let path = old.fileName, let then = readThen[path], readNow[path] == then,
                  let new = store.reference(path), new.isMap == old.isMap else { continue }
            carriedFiles.insert(path)
            let entries = old.entries()
            let asRead = PatternFileText.parse(then, map: old.isMap)
            func same(_ key: String, _ value: String?, _ k: String, _ v: String?) -> Bool {
                key == k && (!old.isMap || (value ?? "") == (v ?? ""))
            }
            if entries.count == asRead.count,
               zip(entries, asRead).allSatisfy({ same($0.key, $0.value, $1.key, $1.value) }) { continue }
            let kind = old.isMap ? "map" : "acl"
            let target = RuntimeCommandLine.escaped(path)
            _ = run("clear \(kind) \(target)", payload: nil)
            guard !entries.isEmpty else { continue }
            // One payload (`add` parses a line as key, blanks, then the rest
            // up to LF as the value, which an ACL drops) when every entry
            // reads back so; else (a key with blanks, added on the CLI) one
            // command each.
            func blank(_ c: Character) -> Bool { c == " " || c == "\t" }
            let payloadSafe = entries.allSatisfy { e in
                !e.key.isEmpty && !e.key.contains { blank($0) || $0 == "\n" }
                    && !(e.value ?? "").contains("\n") && !(e.value?.first.map(blank) ?? false)
            }
            if payloadSafe {
                _ = run("add \(kind) \(target)", payload: entries.map { $0.key + " " + (old.isMap ? $0.value ?? "" : "") }.joined(separator: "\n"))
            } else {
                for e in entries {
                    let words = [e.key] + (old.isMap ? [e.value ?? ""] : [])
                    _ = run("add \(kind) \(target) " + words.map(RuntimeCommandLine.escaped).joined(separator: " "), payload: nil)
                }
            }
        }
    }

    /// The files `carry` found as the previous generation read them.
    private(set) var carriedFiles: Set<String> = []

    /// Of `texts`, changes made in the previous generation after `carry`
    /// (while this one starts, or while that one drains), the ones to a
    /// carried file, made and journaled here too; returns them, for this
    /// generation's workers. A command naming an id or a version (`#ID`,
    /// `@VER`) is left out: ids and versions differ between generations.
    func follow(_ texts: [String]) -> [String] {
        let carried = texts.filter { text in
            if let change = PatternFileChange(encoded: text) { return carriedFiles.contains(change.file) }
            let head = text.firstIndex(of: "\n").map { String(text[..<$0]) } ?? text
            let words = RuntimeCommandLine.words(head)
            return words.count >= 3 && Self.isChange(head) && carriedFiles.contains(words[2])
                && !words.dropFirst(2).contains { $0.hasPrefix("#") || $0.hasPrefix("@") }
        }
        // Made and journaled as a re-exec's changes are.
        restore(carried)
        return carried
    }

    /// A change a worker's rule made (`PatternFileChange`): made here and
    /// journaled; true when the workers must make it too.
    func ruleChange(_ text: String) -> Bool {
        guard let change = PatternFileChange(encoded: text) else { return false }
        store.apply(change)
        // Even when it changed nothing here it goes on: the worker that made
        // it must see the master's order of concurrent changes.
        journalRuleChange(change, text)
        return true
    }

    private func journalRuleChange(_ change: PatternFileChange, _ text: String) {
        let key = change.file + "\u{0}" + change.key
        if let i = ruleIndex[key] {
            entries[i] = nil
            holes += 1
        }
        entries.append(text)
        ruleIndex[key] = entries.count - 1
        // Closes the holes once they are most of it (indexes move: rebuilt).
        if holes > 1024 && holes * 2 > entries.count {
            var kept: [String?] = []
            kept.reserveCapacity(entries.count - holes)
            var index: [String: Int] = [:]
            let keyAt = Dictionary(uniqueKeysWithValues: ruleIndex.map { ($0.value, $0.key) })
            for (i, e) in entries.enumerated() {
                guard let e else { continue }
                if let k = keyAt[i] { index[k] = kept.count }
                kept.append(e)
            }
            entries = kept
            ruleIndex = index
            holes = 0
        }
    }

    /// A worker's side: runs what the master sent (command, "\n", payload).
    static func apply(_ text: String, to store: PatternStore) -> String? {
        if store.apply(encoded: text) != nil { return "" }
        let head: Substring, payload: String?
        if let nl = text.firstIndex(of: "\n") {
            head = text[..<nl]
            payload = String(text[text.index(after: nl)...])
        } else {
            head = text[...]
            payload = nil
        }
        // Dynamic-cookie changes are the workers' (WorkerRole); journaled here.
        if DynamicCookieCommand.parse(RuntimeCommandLine.words(String(head))) != nil { return RuntimeCLI.endOfAnswer }
        return store.run(RuntimeCommandLine.words(String(head)), payload: payload).map { $0.text + RuntimeCLI.endOfAnswer }
    }
}
