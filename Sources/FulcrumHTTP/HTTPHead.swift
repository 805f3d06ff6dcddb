import FulcrumBytes

/// An HTTP/1.x message head (request or response) as received: the raw bytes
/// plus ranges locating the start line and each field in them. Rules edit it
/// without re-parsing: a field is marked removed, new ones are appended, the
/// request line's parts can be overridden; `serialize` writes the result.
/// Nothing is copied into Strings on the forwarding path.
public struct HTTPHead: Sendable {
    public enum Kind: Sendable { case request, response }

    public struct Field: Sendable, Equatable {
        public var name: Range<Int>
        public var value: Range<Int>
        public var removed = false
        public init(name: Range<Int>, value: Range<Int>) { self.name = name; self.value = value }
    }

    public var kind: Kind
    /// The head as received, from the first byte of the start line to the end
    /// of the empty line that closes it.
    public var raw: [UInt8]
    /// Start line: request → method, target, version; response → version, status, reason.
    public var part1: Range<Int>
    public var part2: Range<Int>
    public var part3: Range<Int>
    public var version: HTTPVersion
    /// Response: the status code (0 for a request).
    public var status: Int
    public var fields: [Field]
    /// Fields added by rules, in order, appended after the kept ones.
    public var added: [(name: [UInt8], value: [UInt8])] = []
    /// Replacements of the request line's method / target (set-method, set-path, ...).
    public var methodOverride: [UInt8]? = nil
    public var targetOverride: [UInt8]? = nil
    /// Replacement of the version as sent on (HAProxy speaks HTTP/1.1 to
    /// servers whatever 1.x-or-later version the client wrote; Fulcrum
    /// writes "HTTP/1.0" or "HTTP/1.1" on both sides, see HTTPExchange).
    public var versionOverride: [UInt8]? = nil
    /// A response's status code and reason as `set-status` wrote them.
    public var statusLineOverride: (code: [UInt8], reason: [UInt8])? = nil
    /// A line of the head ended with LF alone: it must go out serialized
    /// (CRLF), never as received, or a server that ends lines only at CRLF
    /// would read a field hidden in another (`X: a\nTransfer-Encoding: ...`).
    public var bareLineFeeds = false
    /// After a refused parse: the offset in the input where the parser
    /// stopped (HAProxy's "error at position" in `show errors`).
    public var errorOffset = 0

    public init(kind: Kind, raw: [UInt8], part1: Range<Int>, part2: Range<Int>, part3: Range<Int>,
                version: HTTPVersion, status: Int, fields: [Field]) {
        self.kind = kind; self.raw = raw; self.part1 = part1; self.part2 = part2; self.part3 = part3
        self.version = version; self.status = status; self.fields = fields
    }

    /// An empty head, storage for `HTTPParser`'s parse-into calls: parsing
    /// into the same head again reuses its arrays (no allocation per message).
    /// `reserving` false makes a placeholder that holds no memory.
    public init(kind: Kind, reserving: Bool = true) {
        self.kind = kind; raw = []; part1 = 0..<0; part2 = 0..<0; part3 = 0..<0
        version = .http11; status = 0; fields = []
        if reserving { raw.reserveCapacity(512); fields.reserveCapacity(16) }
    }

    // MARK: reading

    public var method: ArraySlice<UInt8> { methodOverride.map { $0[...] } ?? raw[part1] }
    public var target: ArraySlice<UInt8> { targetOverride.map { $0[...] } ?? raw[part2] }
    public var methodString: String { String(decoding: method, as: UTF8.self) }
    public var targetString: String { String(decoding: target, as: UTF8.self) }

    /// Case-insensitive comparison of a field name with an ASCII name. The
    /// lengths first: a lookup passes every field, and most differ there.
    @inlinable
    public func fieldNameEquals(_ f: Field, _ name: String) -> Bool {
        let utf8 = name.utf8
        guard f.name.count == utf8.count else { return false }
        var i = f.name.lowerBound
        for c in utf8 {
            if ASCII.lower(raw[i]) != ASCII.lower(c) { return false }
            i += 1
        }
        return true
    }

    /// Values of every (kept and added) field with this name, in order.
    public func values(of name: String) -> [ArraySlice<UInt8>] { Array(fieldValues(named: name)) }

    /// The last value of a field as a String (for rules; not on the fast path).
    public func value(of name: String) -> String? {
        values(of: name).last.map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: editing

    /// Removes every field with this name (kept and added).
    public mutating func remove(_ name: String) {
        // Allocation-free on the common path: names compare byte-wise, and
        // `fields` is only written (made unique, so copied when shared) once
        // a field actually matches; a loop that may write copies up front.
        if let first = fields.firstIndex(where: { !$0.removed && fieldNameEquals($0, name) }) {
            for i in first..<fields.count where !fields[i].removed && fieldNameEquals(fields[i], name) { fields[i].removed = true }
        }
        if added.contains(where: { ASCII.equalsIgnoringCase($0.name, name.utf8) }) {
            added.removeAll { ASCII.equalsIgnoringCase($0.name, name.utf8) }
        }
    }

    /// `remove` for a name fixed in the code, written in lower case (the
    /// hop-by-hop fields every message loses): compared with the literal's
    /// bytes, length first, where a String name is walked as UTF-8 each time.
    public mutating func remove(lowercase name: StaticString) {
        if let first = fields.firstIndex(where: { !$0.removed && ASCII.equalsLowercase(raw, $0.name, name) }) {
            for i in first..<fields.count where !fields[i].removed && ASCII.equalsLowercase(raw, fields[i].name, name) {
                fields[i].removed = true
            }
        }
        if !added.isEmpty {
            let literal = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            if added.contains(where: { ASCII.equalsIgnoringCase($0.name, literal) }) {
                added.removeAll { ASCII.equalsIgnoringCase($0.name, literal) }
            }
        }
    }

    public mutating func add(_ name: String, _ value: String) { add(name: Array(name.utf8), value: Array(value.utf8)) }
    public mutating func add(_ name: String, _ value: [UInt8]) { add(name: Array(name.utf8), value: value) }

    /// Appends a field whose name and value are bytes already (rules compile
    /// names once): neither is converted or copied. The first addition
    /// reserves room for a few more, so a request's rules grow the list once.
    public mutating func add(name: [UInt8], value: [UInt8]) {
        if added.isEmpty { added.reserveCapacity(4) }
        added.append((name, value))
    }

    /// `set-header`: removes every field with the name, then adds one.
    public mutating func set(_ name: String, _ value: String) { remove(name); add(name, value) }

    // MARK: writing

    /// Writes the (edited) head: start line, kept fields, added fields, empty line.
    public func serialize(into out: inout [UInt8]) {
        let size = serializedSize
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: size))
        out.withUnsafeMutableBytes { _ = serialize(into: UnsafeMutableRawBufferPointer(rebasing: $0[base...])) }
    }

    /// Writes the head into `dst` (at least `serializedSize` bytes) and
    /// returns the bytes written: the proxy writes straight into its output
    /// buffer, one copy per part, with no scratch array between.
    public func serialize(into dst: UnsafeMutableRawBufferPointer) -> Int {
        guard let start = dst.baseAddress else { return 0 }
        precondition(dst.count >= serializedSize, "serialize: destination too small")
        return raw.withUnsafeBytes { r -> Int in
            var out = HeadWriter(at: start)
            switch kind {
            case .request:
                if let m = methodOverride { out.put(m) } else { out.put(r, part1) }
                out.put(32)
                if let t = targetOverride { out.put(t) } else { out.put(r, part2) }
                out.put(32)
                if let v = versionOverride { out.put(v) } else { out.put(r, part3) }
            case .response:
                if let v = versionOverride { out.put(v) } else { out.put(r, part1) }
                out.put(32)
                if let o = statusLineOverride {
                    out.put(o.code)
                    if !o.reason.isEmpty { out.put(32); out.put(o.reason) }
                } else {
                    out.put(r, part2)
                    if !part3.isEmpty { out.put(32); out.put(r, part3) }
                }
            }
            out.put(13); out.put(10)
            for f in fields where !f.removed {
                out.put(r, f.name); out.put(58); out.put(32)
                out.put(r, f.value); out.put(13); out.put(10)
            }
            for a in added {
                out.put(a.name); out.put(58); out.put(32)
                out.put(a.value); out.put(13); out.put(10)
            }
            out.put(13); out.put(10)
            return out.position - start
        }
    }

    /// The bytes `serialize` writes.
    public var serializedSize: Int {
        var n: Int
        switch kind {
        case .request:
            n = (methodOverride?.count ?? part1.count) + 1 + (targetOverride?.count ?? part2.count) + 1
                + (versionOverride?.count ?? part3.count)
        case .response:
            n = (versionOverride?.count ?? part1.count) + 1
            if let o = statusLineOverride {
                n += o.code.count + (o.reason.isEmpty ? 0 : 1 + o.reason.count)
            } else {
                n += part2.count + (part3.isEmpty ? 0 : 1 + part3.count)
            }
        }
        n += 2
        for f in fields where !f.removed { n += f.name.count + f.value.count + 4 }
        for a in added { n += a.name.count + a.value.count + 4 }
        return n + 2
    }

    /// True when no rule changed anything: the raw bytes can be forwarded as is.
    public var isUnmodified: Bool {
        added.isEmpty && methodOverride == nil && targetOverride == nil && versionOverride == nil
            && statusLineOverride == nil && !bareLineFeeds && !fields.contains { $0.removed }
    }
}

public enum HTTPVersion: Sendable, Equatable {
    case http10, http11
}

/// A cursor writing a head into memory sized for it beforehand. A struct with
/// mutating methods, not local functions around a captured pointer: those
/// paid a dynamic exclusivity check on every byte range written.
struct HeadWriter {
    private(set) var position: UnsafeMutableRawPointer

    init(at start: UnsafeMutableRawPointer) { position = start }

    mutating func put(_ byte: UInt8) {
        position.storeBytes(of: byte, as: UInt8.self)
        position += 1
    }

    mutating func put(_ source: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard let p = source.baseAddress, !range.isEmpty else { return }
        position.copyMemory(from: p + range.lowerBound, byteCount: range.count)
        position += range.count
    }

    mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { put($0, 0..<$0.count) }
    }
}
