import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumLog
import FulcrumPosix

/// What a worker logs about its streams: each frontend's compiled line, its
/// destinations and options, and the buffers lines are built in (reused: a
/// line costs no allocation once they have their capacity). The engine calls
/// it when an exchange ends (mode http), when a stream closes (mode tcp), or
/// at accept for the legacy "Connect from" line.
final class StreamLogger {
    /// One frontend's logging, ready to use. A class: the engine looks it up
    /// for every line, and one reference costs less than copying its arrays.
    final class FrontendLog {
        let line: CompiledLogLine
        let structuredData: CompiledLogLine?
        let uniqueID: CompiledLogLine?
        let destinations: [Int]
        let options: ProxyLogging
        let name: [UInt8]
        /// `capture request|response header NAME len N` in slot order
        /// (lowercased names; nil for a slot a rule fills).
        let requestHeaders: [(name: [UInt8]?, length: Int)]
        let responseHeaders: [(name: [UInt8]?, length: Int)]
        let cookie: (name: [UInt8], length: Int)?
        /// The format reads `%fi`/`%fp` or is the legacy line: the local
        /// address is asked of the kernel (once per connection).
        let needsLocalAddress: Bool
        /// `unique-id-header` as bytes.
        let uniqueIDHeader: [UInt8]?
        /// Lines sent so far (`%lc`).
        var lines = 0

        init(line: CompiledLogLine, structuredData: CompiledLogLine?, uniqueID: CompiledLogLine?, destinations: [Int],
             options: ProxyLogging, name: [UInt8], requestHeaders: [(name: [UInt8]?, length: Int)],
             responseHeaders: [(name: [UInt8]?, length: Int)], cookie: (name: [UInt8], length: Int)?,
             needsLocalAddress: Bool, uniqueIDHeader: [UInt8]?) {
            self.line = line; self.structuredData = structuredData; self.uniqueID = uniqueID
            self.destinations = destinations; self.options = options; self.name = name
            self.requestHeaders = requestHeaders; self.responseHeaders = responseHeaders; self.cookie = cookie
            self.needsLocalAddress = needsLocalAddress; self.uniqueIDHeader = uniqueIDHeader
        }
    }

    let output: LogOutput
    let frontends: [FrontendLog?]
    let backendNames: [[UInt8]]
    let serverNames: [[[UInt8]]]
    let hostname: [UInt8]
    /// The line being built, and capture slices lent to the record.
    var line: [UInt8] = []
    /// The last seconds' date text, shared by every line this worker renders.
    var dates = LogDateCache()
    var structuredData: [UInt8] = []
    var uniqueID: [UInt8] = []
    let pid = ProcessIdentity.pid
    var requestCaptures: [ArraySlice<UInt8>?] = []
    var responseCaptures: [ArraySlice<UInt8>?] = []

    /// - echo: extra targets every logging frontend also sends to (`-d`: stderr).
    init(output: LogOutput, configuration c: Configuration, lines: [CompiledProxyLog?], echo: [LogTarget] = []) {
        self.output = output
        var frontends: [FrontendLog?] = []
        for (i, f) in c.frontends.enumerated() {
            guard i < lines.count, let compiled = lines[i] else { frontends.append(nil); continue }
            let destinations = output.destinations(for: f.logging.targets + (f.logging.targets.isEmpty ? [] : echo),
                                                   tag: f.logging.tag)
            func headers(_ slots: [CaptureSlot]) -> [(name: [UInt8]?, length: Int)] {
                slots.map { slot in
                    if case .header(let n) = slot.source { return (Array(n.lowercased().utf8), slot.length) }
                    return (nil, slot.length)
                }
            }
            frontends.append(FrontendLog(line: compiled.line, structuredData: compiled.structuredData,
                                         uniqueID: compiled.uniqueID, destinations: destinations, options: f.logging,
                                         name: Array(f.name.utf8),
                                         requestHeaders: headers(f.logging.captures.request),
                                         responseHeaders: headers(f.logging.captures.response),
                                         cookie: f.logging.captures.cookie.map { (Array($0.name.utf8), $0.length) },
                                         needsLocalAddress: compiled.line.readsLocalAddress
                                            || compiled.uniqueID?.readsLocalAddress == true
                                            || compiled.structuredData?.readsLocalAddress == true,
                                         uniqueIDHeader: f.logging.uniqueIDHeader.map { Array($0.utf8) }))
        }
        self.frontends = frontends
        backendNames = c.backends.map { Array($0.name.utf8) }
        serverNames = c.backends.map { $0.servers.map { Array($0.name.utf8) } }
        switch c.global.logHostname {
        case .name(let n)?: hostname = Array(n.utf8)
        default: hostname = Array(ProcessIdentity.hostName.utf8)
        }
        line.reserveCapacity(1024)
    }

    /// Whether frontend `i` logs anything.
    @inline(__always)
    func logs(_ frontend: Int) -> Bool { frontends[frontend] != nil }

    /// The last value of header `name` (lowercase) among the head's fields as
    /// received (edits by rules do not count: HAProxy captures before them),
    /// cut to `length`.
    static func capture(_ head: HTTPHead, name: [UInt8], length: Int) -> ArraySlice<UInt8>? {
        var found: ArraySlice<UInt8>? = nil
        for f in head.fields where f.name.count == name.count && ASCII.equalsIgnoringCase(head.raw[f.name], name) {
            found = head.raw[f.value]
        }
        guard let v = found else { return nil }
        return v.prefix(length)
    }

    /// A frontend's capture slots for one message, in slot order: a header
    /// slot from `head` (nil: the message never came), a rule's slot from
    /// what its `capture` rule put there last; each cut to its length.
    static func fill(_ list: inout [ArraySlice<UInt8>?], slots: [(name: [UInt8]?, length: Int)], head: HTTPHead?,
                     rules: [(slot: Int, value: [UInt8])]) {
        list.removeAll(keepingCapacity: true)
        for (slot, declared) in slots.enumerated() {
            if let name = declared.name {
                list.append(head.flatMap { capture($0, name: name, length: declared.length) })
            } else {
                list.append(rules.last(where: { $0.slot == slot })?.value.prefix(declared.length))
            }
        }
    }

    /// `capture cookie NAME`: the first request cookie whose name begins with
    /// NAME, as "name=value", cut to `length`.
    static func requestCookie(_ head: HTTPHead, prefix: [UInt8], length: Int) -> ArraySlice<UInt8>? {
        for f in head.fields where ASCII.equalsIgnoringCase(head.raw[f.name], cookieName) {
            var rest = head.raw[f.value]
            while !rest.isEmpty {
                let end = rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
                let item = rest[..<end].trimmingBlanks()
                if item.starts(with: prefix) { return item.prefix(length) }
                rest = end < rest.endIndex ? rest[(end + 1)...] : rest[end...]
            }
        }
        return nil
    }

    /// `capture cookie NAME`: the first Set-Cookie of the response whose
    /// cookie name begins with NAME, as "name=value" (attributes left out),
    /// cut to `length`.
    static func responseCookie(_ head: HTTPHead, prefix: [UInt8], length: Int) -> ArraySlice<UInt8>? {
        for f in head.fields where ASCII.equalsIgnoringCase(head.raw[f.name], setCookieName) {
            let value = head.raw[f.value].trimmingBlanks()
            guard value.starts(with: prefix) else { continue }
            let pair = value[..<(value.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex)].trimmingBlanks()
            return pair.prefix(length)
        }
        return nil
    }

    static let cookieName = Array("cookie".utf8)
    static let setCookieName = Array("set-cookie".utf8)
}
