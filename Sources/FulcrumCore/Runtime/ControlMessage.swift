/// Messages on a master/child control socketpair (AF_UNIX SOCK_SEQPACKET): one
/// datagram each, plain text so `strace` shows them. Replies to CLI requests
/// carry the request id and may span several datagrams (`more` … `end`).
public enum ControlMessage: Equatable, Sendable {
    /// Child → master: set up and serving.
    case ready
    /// Master → worker: graceful stop.
    case drain
    /// Master → worker: run a runtime-API command (`@N show stat`) at `level`
    /// (0 user, 1 operator, 2 admin).
    case cliRequest(id: UInt32, level: Int, command: String)
    /// Worker → master: (part of) the answer to request `id`.
    case cliReply(id: UInt32, final: Bool, text: String)
    /// VRRP child → master: instance `instance` entered `state` (keepalived's
    /// word: MASTER, BACKUP, FAULT, STOP), so a restarted child can resume.
    case vrrpState(instance: String, state: String)
    /// Master → VRRP child: how many workers of the serving generation run
    /// (0 faults the instances: the proxy is not serving).
    case proxyWorkers(Int)
    /// Master → worker: `clear counters` (maxima) or `clear counters all`:
    /// the worker clears its own counter block, which only it writes.
    case clearCounters(all: Bool)
    /// Checker → master → workers, or master → workers: kill the streams on
    /// server table line `serverLine`, logged with `cause` (HAProxy's
    /// termination letter: D a server marked down, U a backup's sessions when
    /// an active server came up, K the admin's `shutdown sessions server`).
    case shutdownSessions(serverLine: Int, cause: UInt8)

    /// Largest reply text per datagram (well under the socket buffer).
    public static let chunkSize = 32 * 1024

    public func encode() -> [UInt8] {
        switch self {
        case .ready: return Array("ready".utf8)
        case .drain: return Array("drain".utf8)
        case .cliRequest(let id, let level, let command): return Array("cli \(id) \(level) \(command)".utf8)
        case .cliReply(let id, let final, let text): return Array("reply \(id) \(final ? "end" : "more")\n\(text)".utf8)
        case .vrrpState(let instance, let state): return Array("vrrp \(state) \(instance)".utf8)
        case .proxyWorkers(let n): return Array("proxy \(n)".utf8)
        case .clearCounters(let all): return Array((all ? "clear all" : "clear max").utf8)
        case .shutdownSessions(let line, let cause): return Array("shutdown \(line) \(Character(UnicodeScalar(cause)))".utf8)
        }
    }

    /// Splits a long answer into `cliReply` messages of at most `chunkSize` bytes.
    public static func replies(id: UInt32, text: String) -> [ControlMessage] {
        let bytes = Array(text.utf8)
        if bytes.count <= chunkSize { return [.cliReply(id: id, final: true, text: text)] }
        var out: [ControlMessage] = []
        var start = 0
        while start < bytes.count {
            var end = min(start + chunkSize, bytes.count)
            // Never cut a UTF-8 sequence.
            while end < bytes.count && (bytes[end] & 0xC0) == 0x80 { end -= 1 }
            out.append(.cliReply(id: id, final: end == bytes.count, text: String(decoding: bytes[start..<end], as: UTF8.self)))
            start = end
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> ControlMessage? {
        let text = String(decoding: bytes, as: UTF8.self)
        if text == "ready" { return .ready }
        if text == "drain" { return .drain }
        if text == "clear all" || text == "clear max" { return .clearCounters(all: text == "clear all") }
        if text.hasPrefix("cli ") {
            let parts = text.dropFirst(4).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, let id = UInt32(parts[0]), let level = Int(parts[1]) else { return nil }
            return .cliRequest(id: id, level: level, command: parts.count == 3 ? String(parts[2]) : "")
        }
        if text.hasPrefix("vrrp ") {
            let parts = text.dropFirst(5).split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return .vrrpState(instance: String(parts[1]), state: String(parts[0]))
        }
        if text.hasPrefix("proxy "), let n = Int(text.dropFirst(6)) { return .proxyWorkers(n) }
        if text.hasPrefix("shutdown ") {
            let parts = text.dropFirst(9).split(separator: " ")
            guard parts.count == 2, let line = Int(parts[0]), line >= 0, parts[1].utf8.count == 1 else { return nil }
            return .shutdownSessions(serverLine: line, cause: parts[1].utf8.first!)
        }
        if text.hasPrefix("reply ") {
            guard let nl = text.firstIndex(of: "\n") else { return nil }
            let head = text[text.index(text.startIndex, offsetBy: 6)..<nl].split(separator: " ")
            guard head.count == 2, let id = UInt32(head[0]), head[1] == "end" || head[1] == "more" else { return nil }
            return .cliReply(id: id, final: head[1] == "end", text: String(text[text.index(after: nl)...]))
        }
        return nil
    }
}
