import FulcrumLog

/// One invalid request or response as HAProxy keeps it for `show errors`:
/// the last one per proxy and direction, with the bytes the proxy had
/// received and where its parser stopped. Workers capture them; the
/// master gathers every worker's and keeps the latest per proxy and
/// direction, as one HAProxy process would hold them.
public struct ErrorSnapshot: Equatable, Sendable {
    /// The proxy the error belongs to: the frontend for a request, the
    /// backend for a response.
    public var response: Bool
    public var proxyName: String
    public var proxyID: Int
    /// The other end: the backend of a request (nil before one was chosen),
    /// the frontend of a response.
    public var otherName: String?
    public var otherID: Int
    public var serverName: String?
    public var serverID: Int
    /// Wall-clock microseconds of the capture.
    public var micros: Int64
    public var utcOffset: Int
    /// HAProxy's event number: the count of errors captured before it (all workers).
    public var event: UInt64
    /// `ip:port` of the client.
    public var source: String
    public var bytes: [UInt8]
    public var errorAt: Int
    /// The proxy's rank in declaration order (a listen's request and response share it).
    public var order: Int
    /// tune.bufsize, for the "free" and "wraps at" figures.
    public var bufferSize: Int

    public init(response: Bool, proxyName: String, proxyID: Int, otherName: String?, otherID: Int, serverName: String?,
                serverID: Int, micros: Int64, utcOffset: Int, event: UInt64, source: String, bytes: [UInt8], errorAt: Int,
                order: Int, bufferSize: Int) {
        self.response = response; self.proxyName = proxyName; self.proxyID = proxyID; self.otherName = otherName
        self.otherID = otherID; self.serverName = serverName; self.serverID = serverID; self.micros = micros
        self.utcOffset = utcOffset; self.event = event; self.source = source; self.bytes = bytes; self.errorAt = errorAt
        self.order = order; self.bufferSize = bufferSize
    }

    // MARK: transport (worker → master): one line of space-separated hex fields

    public var encoded: String {
        let fields: [String] = [response ? "1" : "0", SnapshotHex.encode(proxyName), String(proxyID), otherName.map { SnapshotHex.encode($0) } ?? "-",
                                String(otherID), serverName.map { SnapshotHex.encode($0) } ?? "-", String(serverID), String(micros),
                                String(utcOffset), String(event), SnapshotHex.encode(source), SnapshotHex.encode(bytes), String(errorAt),
                                String(order), String(bufferSize)]
        return fields.joined(separator: " ")
    }

    public init?(encoded line: Substring) {
        let f = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 15, let proxyID = Int(f[2]), let otherID = Int(f[4]), let serverID = Int(f[6]),
              let micros = Int64(f[7]), let utcOffset = Int(f[8]), let event = UInt64(f[9]), let errorAt = Int(f[12]),
              let order = Int(f[13]), let bufferSize = Int(f[14]),
              let proxyName = SnapshotHex.decodeString(f[1]), let source = SnapshotHex.decodeString(f[10]), let bytes = SnapshotHex.decode(f[11]) else { return nil }
        self.init(response: f[0] == "1", proxyName: proxyName, proxyID: proxyID,
                  otherName: f[3] == "-" ? nil : SnapshotHex.decodeString(f[3]), otherID: otherID,
                  serverName: f[5] == "-" ? nil : SnapshotHex.decodeString(f[5]), serverID: serverID, micros: micros,
                  utcOffset: utcOffset, event: event, source: source, bytes: bytes, errorAt: errorAt, order: order,
                  bufferSize: bufferSize)
    }
}

/// `show errors [<px>] [request|response]`: HAProxy 2.6's arguments, order and dump.
public enum ErrorSnapshotFormat {
    /// Which snapshots the arguments ask for: a proxy id (-1: all) and the
    /// directions; nil when the proxy names nothing ("No such proxy.").
    public struct Filter: Equatable, Sendable {
        public var proxyID: Int
        public var requests = true
        public var responses = true
    }

    /// `lookup` gives a proxy's id from its name (frontends and backends).
    public static func filter(_ args: [String], lookup: (String) -> Int?) -> Filter? {
        var f = Filter(proxyID: -1)
        if let first = args.first, !first.isEmpty {
            f.proxyID = lookup(first) ?? RuntimeCommandLine.atoi(first)
            if f.proxyID == 0 { return nil }
        }
        if args.count > 1 {
            if args[1] == "request" { f.responses = false } else if args[1] == "response" { f.requests = false }
        }
        return f
    }

    /// The latest snapshot per proxy and direction of several workers', in
    /// HAProxy's order (proxies as declared, a proxy's request before its response).
    public static func merge(_ all: [ErrorSnapshot]) -> [ErrorSnapshot] {
        var latest: [String: ErrorSnapshot] = [:]
        for s in all {
            let key = "\(s.order)/\(s.response)"
            if let kept = latest[key], kept.event > s.event { continue }
            latest[key] = s
        }
        return latest.values.sorted { ($0.order, $0.response ? 1 : 0) < ($1.order, $1.response ? 1 : 0) }
    }

    /// The whole answer (without the CLI's end of answer).
    public static func text(_ snapshots: [ErrorSnapshot], filter: Filter, total: UInt64, nowMicros: Int64, utcOffset: Int) -> String {
        var out = "Total events captured on [\(LogDateText.withMilliseconds(micros: nowMicros, utcOffset: utcOffset))] : \(total)\n"
        for s in merge(snapshots) {
            if s.response ? !filter.responses : !filter.requests { continue }
            if filter.proxyID >= 0 && s.proxyID != filter.proxyID && (s.otherName == nil || s.otherID != filter.proxyID) { continue }
            out += " \n" + event(s)
        }
        return out
    }

    /// One event: HAProxy's header lines, its H1 lines (Fulcrum's parser
    /// keeps no such flags: written as zeros, docs/differences.md) and the dump.
    static func event(_ s: ErrorSnapshot) -> String {
        let date = LogDateText.withMilliseconds(micros: s.micros, utcOffset: s.utcOffset)
        var out = "[\(date)] \(s.response ? "backend" : "frontend") \(s.proxyName) (#\(s.proxyID)): invalid \(s.response ? "response" : "request")\n"
        out += "  \(s.response ? "frontend" : "backend") \(s.otherName ?? "<NONE>") (#\(s.otherName == nil ? -1 : s.otherID))"
        out += ", server \(s.serverName ?? "<NONE>") (#\(s.serverName == nil ? -1 : s.serverID)), event #\(s.event), src \(s.source)\n"
        out += "  buffer starts at 0 (including 0 out), \(s.bufferSize - s.bytes.count) free,\n"
        out += "  len \(s.bytes.count), wraps at \(s.bufferSize - 48), error at position \(s.errorAt)\n"
        out += "  H1 connection flags 0x00000000, H1 stream flags 0x00000000\n"
        out += "  H1 msg state \(s.response ? "MSG_RPBEFORE(30)" : "MSG_RQBEFORE(0)"), H1 msg flags 0x00000000\n"
        out += "  H1 chunk len 0 bytes, H1 body len 0 bytes :\n"
        out += "  \n"
        out += dump(s.bytes)
        return out
    }

    /// HAProxy's dump_text_line() over the whole buffer: one output line
    /// per input line (`  OFFSET  text`), split with `+` past 80 columns;
    /// `\t \n \r \e \\` and non-printable bytes escaped.
    public static func dump(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var ptr = 0, lineStart = 0
        while ptr < bytes.count {
            var line = Array("  \(String(repeating: "0", count: max(0, 5 - String(ptr).count)))\(ptr)\(ptr == lineStart ? " " : "+") ".utf8)
            let end = 80
            var ended = false
            while ptr < bytes.count {
                let c = bytes[ptr]
                if c >= 0x20 && c < 0x7F && c != 0x5C {
                    if line.count > end - 2 { break }
                    line.append(c)
                } else if c == 0x09 || c == 0x0A || c == 0x0D || c == 0x1B || c == 0x5C {
                    if line.count > end - 3 { break }
                    line.append(0x5C)
                    switch c {
                    case 0x09: line.append(UInt8(ascii: "t"))
                    case 0x0A: line.append(UInt8(ascii: "n"))
                    case 0x0D: line.append(UInt8(ascii: "r"))
                    case 0x1B: line.append(UInt8(ascii: "e"))
                    default: line.append(0x5C)
                    }
                } else {
                    if line.count > end - 5 { break }
                    let hex = Array("0123456789abcdef".utf8)
                    line += [0x5C, UInt8(ascii: "x"), hex[Int(c >> 4)], hex[Int(c & 0xF)]]
                }
                ptr += 1
                if c == 0x0A {
                    lineStart = ptr
                    ended = true
                    break
                }
            }
            _ = ended
            line.append(0x0A)
            out += line
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Fields of a snapshot's transport line, so spaces need no quoting ("." is empty).
enum SnapshotHex {
    static let digits = Array("0123456789abcdef".utf8)
    static func encode(_ s: String) -> String { encode(Array(s.utf8)) }
    static func encode(_ b: [UInt8]) -> String {
        if b.isEmpty { return "." }
        var out: [UInt8] = []
        out.reserveCapacity(b.count * 2)
        for x in b { out.append(digits[Int(x >> 4)]); out.append(digits[Int(x & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
    static func decode(_ s: String) -> [UInt8]? {
        if s == "." { return [] }
        let b = Array(s.utf8)
        guard b.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        var i = 0
        while i < b.count {
            guard let h = digits.firstIndex(of: b[i]), let l = digits.firstIndex(of: b[i + 1]) else { return nil }
            out.append(UInt8(h << 4 | l))
            i += 2
        }
        return out
    }
    static func decodeString(_ s: String) -> String? { decode(s).map { String(decoding: $0, as: UTF8.self) } }
}

extension ErrorSnapshotFormat {
    /// What the master sends every worker for `show errors`: their
    /// snapshots as transport lines, which it merges (no CLI command starts so).
    public static let recordsRequest = "\u{1}show errors records"

    /// The snapshots of a worker's answer to `recordsRequest`.
    public static func records(_ text: String) -> [ErrorSnapshot] {
        text.split(separator: "\n").compactMap { ErrorSnapshot(encoded: $0) }
    }
}

import FulcrumConfig

extension ErrorSnapshotFormat {
    /// The filter against a configuration's proxies (frontends, backends, listens by name).
    public static func filter(_ args: [String], in c: Configuration) -> Filter? {
        filter(args) { name in
            c.frontends.first { $0.name == name }?.id ?? c.backends.first { $0.name == name }?.id
        }
    }
}
