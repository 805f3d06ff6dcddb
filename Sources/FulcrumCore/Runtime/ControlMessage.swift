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
    /// Keepalived child → master: bgp_instance `instance` is now `state`
    /// (`VIPAnnouncement.State`: WITHDRAWN, HELD-DOWN, ANNOUNCED, DRAINING, STOPPED).
    case bgpState(instance: String, state: String)
    /// Keepalived child → master: what BIRD said last ("up" and its protocols
    /// one a line, or why it cannot be reached), for `show bgp`.
    case birdStatus(String)
    /// Master → keepalived child (SIGUSR1): withdraw every VIP and drain;
    /// child → master: done, the workers may stop (`bgpDrained`).
    case bgpStop
    case bgpDrained
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
    /// Master → worker: (part of) the PEM committed for certificate `name`
    /// (`commit ssl cert`); the worker serves it once the `final` part came.
    case certificate(name: String, final: Bool, pem: String)
    /// Master → worker: (part of) the PEM committed for CA file `name`
    /// (`commit ssl ca-file`).
    case caFile(name: String, final: Bool, pem: String)
    /// Master → worker: crt-list `list` gained line `line` (`add ssl crt-list`).
    case crtListAdd(list: String, line: Int, text: String)
    /// Master → worker: line `line` of crt-list `list` is gone (`del ssl crt-list`).
    case crtListRemove(list: String, line: Int)
    /// Master → workers: a frontend's admin state changed in the table; follow it.
    case frontendStates
    /// Worker → master: a rule's set-map/del-map/add-acl/del-acl changed
    /// the worker's pattern store (`PatternFileChange.encoded`); the master
    /// makes it in its own and sends it to every worker.
    case patternChange(String)

    /// Largest reply text per datagram (well under the socket buffer).
    public static let chunkSize = 32 * 1024

    /// The id of a `cliRequest` nobody waits for (the map/acl changes the
    /// master replays to a worker that starts): the worker does not reply.
    public static let unansweredRequest = UInt32.max

    public func encode() -> [UInt8] {
        switch self {
        case .ready: return Array("ready".utf8)
        case .drain: return Array("drain".utf8)
        case .cliRequest(let id, let level, let command): return Array("cli \(id) \(level) \(command)".utf8)
        case .cliReply(let id, let final, let text): return Array("reply \(id) \(final ? "end" : "more")\n\(text)".utf8)
        case .vrrpState(let instance, let state): return Array("vrrp \(state) \(instance)".utf8)
        case .proxyWorkers(let n): return Array("proxy \(n)".utf8)
        case .bgpState(let instance, let state): return Array("bgp \(state) \(instance)".utf8)
        case .birdStatus(let text): return Array("bird\n\(text)".utf8)
        case .bgpStop: return Array("bgp-stop".utf8)
        case .bgpDrained: return Array("bgp-drained".utf8)
        case .clearCounters(let all): return Array((all ? "clear all" : "clear max").utf8)
        case .shutdownSessions(let line, let cause): return Array("shutdown \(line) \(Character(UnicodeScalar(cause)))".utf8)
        case .certificate(let name, let final, let pem): return Array("cert \(final ? "end" : "more") \(name)\n\(pem)".utf8)
        case .caFile(let name, let final, let pem): return Array("cafile \(final ? "end" : "more") \(name)\n\(pem)".utf8)
        case .crtListAdd(let list, let line, let text): return Array("crtlist add \(line) \(list)\n\(text)".utf8)
        case .crtListRemove(let list, let line): return Array("crtlist del \(line) \(list)".utf8)
        case .frontendStates: return Array("frontends".utf8)
        case .patternChange(let text): return Array("patternchange\n\(text)".utf8)
        }
    }

    /// Splits a long answer into `cliReply` messages of at most `chunkSize` bytes.
    public static func replies(id: UInt32, text: String) -> [ControlMessage] {
        chunks(text).map { .cliReply(id: id, final: $0.final, text: $0.text) }
    }

    /// Splits a committed certificate's PEM into `certificate` messages.
    public static func certificate(name: String, pem: String) -> [ControlMessage] {
        chunks(pem).map { .certificate(name: name, final: $0.final, pem: $0.text) }
    }

    /// Splits a committed CA file's PEM into `caFile` messages.
    public static func caFile(name: String, pem: String) -> [ControlMessage] {
        chunks(pem).map { .caFile(name: name, final: $0.final, pem: $0.text) }
    }

    /// `text` in parts of at most `chunkSize` bytes, the last one final.
    static func chunks(_ text: String) -> [(text: String, final: Bool)] {
        let bytes = Array(text.utf8)
        if bytes.count <= chunkSize { return [(text, true)] }
        var out: [(String, Bool)] = []
        var start = 0
        while start < bytes.count {
            var end = min(start + chunkSize, bytes.count)
            // Never cut a UTF-8 sequence.
            while end < bytes.count && (bytes[end] & 0xC0) == 0x80 { end -= 1 }
            out.append((String(decoding: bytes[start..<end], as: UTF8.self), end == bytes.count))
            start = end
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> ControlMessage? {
        let text = String(decoding: bytes, as: UTF8.self)
        if text == "ready" { return .ready }
        if text == "drain" { return .drain }
        if text == "frontends" { return .frontendStates }
        if text == "clear all" || text == "clear max" { return .clearCounters(all: text == "clear all") }
        if text.hasPrefix("cli ") {
            let parts = text.dropFirst(4).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, let id = UInt32(parts[0]), let level = Int(parts[1]) else { return nil }
            return .cliRequest(id: id, level: level, command: parts.count == 3 ? String(parts[2]) : "")
        }
        if text == "bgp-stop" { return .bgpStop }
        if text == "bgp-drained" { return .bgpDrained }
        if text.hasPrefix("bird\n") { return .birdStatus(String(text.dropFirst(5))) }
        if text.hasPrefix("bgp ") {
            let parts = text.dropFirst(4).split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return .bgpState(instance: String(parts[1]), state: String(parts[0]))
        }
        if text.hasPrefix("vrrp ") {
            let parts = text.dropFirst(5).split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return .vrrpState(instance: String(parts[1]), state: String(parts[0]))
        }
        if text.hasPrefix("cert ") || text.hasPrefix("cafile ") || text.hasPrefix("crtlist ") { return decodeTLS(text) }
        if text.hasPrefix("patternchange\n") { return .patternChange(String(text.dropFirst(14))) }
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

    /// `cert more|end NAME\nPEM`, `cafile more|end NAME\nPEM`, `crtlist add LINE LIST\nTEXT`, `crtlist del LINE LIST`.
    static func decodeTLS(_ text: String) -> ControlMessage? {
        let nl = text.firstIndex(of: "\n")
        let head = text[..<(nl ?? text.endIndex)].split(separator: " ", maxSplits: 2)
        let body = nl.map { String(text[text.index(after: $0)...]) } ?? ""
        guard head.count == 3 else { return nil }
        switch (head[0], head[1]) {
        case ("cert", "end"), ("cert", "more"):
            guard nl != nil else { return nil }
            return .certificate(name: String(head[2]), final: head[1] == "end", pem: body)
        case ("cafile", "end"), ("cafile", "more"):
            guard nl != nil else { return nil }
            return .caFile(name: String(head[2]), final: head[1] == "end", pem: body)
        case ("crtlist", "add"), ("crtlist", "del"):
            let rest = head[2].split(separator: " ", maxSplits: 1)
            guard rest.count == 2, let line = Int(rest[0]) else { return nil }
            if head[1] == "del" { return nl == nil ? .crtListRemove(list: String(rest[1]), line: line) : nil }
            guard nl != nil else { return nil }
            return .crtListAdd(list: String(rest[1]), line: line, text: body)
        default: return nil
        }
    }
}
