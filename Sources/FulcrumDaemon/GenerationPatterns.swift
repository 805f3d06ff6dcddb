import FulcrumConfig
import FulcrumCore

/// One generation's map and ACL files at runtime (HAProxy 2.6's `show|get|
/// add|del|set|clear|prepare|commit map|acl`): the master's copy of the
/// pattern store, which answers the runtime API, and the journal of the
/// changes made since the generation loaded. A change is run here first,
/// then sent to every worker, which runs it on its own copy (the same
/// code on the same entries gives the same entries and ids); a worker
/// started later is sent the journal before it accepts a connection. A
/// reload reads the files again (HAProxy forgets runtime changes too).
final class GenerationPatterns {
    let store: PatternStore
    /// The changing commands, in order, each as the text a worker runs
    /// (command, then "\n" and the payload when there is one).
    private(set) var journal: [String] = []

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
    func run(_ command: String, payload: String?) -> Outcome? {
        let words = RuntimeCommandLine.words(command)
        if let (text, change) = DynamicCookieCommand.answer(words, backends: backendNames) {
            if change != nil { journal.append(command) }
            return Outcome(text: text + RuntimeCLI.endOfAnswer, forWorkers: change != nil ? [command] : [])
        }
        guard let payload, !payload.isEmpty else {
            guard let reply = store.run(words, payload: payload) else { return nil }
            if reply.changed { journal.append(command) }
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
                journal.append(message)
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
        for text in changes where Self.apply(text, to: store) != nil { journal.append(text) }
    }

    /// A worker's side: runs what the master sent (command, "\n", payload).
    static func apply(_ text: String, to store: PatternStore) -> String? {
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
