import FulcrumBytes
import FulcrumConfig

/// One way of matching a pattern reference's current entries (HAProxy's
/// pattern_expr): an ACL's match method and `-i`, or a map converter's
/// match and output type. Built from the reference when it is first used
/// after a change, then read without allocating: exact strings through an
/// open-addressing hash table over the key bytes, `beg` as the longest
/// prefix (one probe per distinct key length), `ip` as the longest network
/// (one probe per distinct prefix length); sub, end, dir, dom, reg, int and
/// case-insensitive prefixes in order, the first match winning, as in
/// HAProxy's lists.
public final class PatternIndex: @unchecked Sendable {
    // @unchecked: used by one worker's single thread; rebuilt in place
    // between requests when the runtime API changed its reference.
    public let method: MatchMethod
    public let ignoreCase: Bool
    /// nil for an ACL; a map converter's value type otherwise.
    public let output: MapOutput?
    /// `map_regm`: a value's `\N` stand for the matching key's groups.
    public let substitutes: Bool
    unowned let reference: PatternReference
    var dirty = true
    /// Who first used it ("ACL 'name'", "converter 'map_beg'") and where:
    /// a file entry it cannot read is an error there.
    var user: String?
    var userLocation: SourceLocation?

    // What the last build took from the reference's current version.
    private(set) var entryIndices: [Int] = []
    private var list: ACLPatterns? = nil
    private var values: [Sample] = []
    private var table: [Int32] = []
    private var keyBytes: [[UInt8]] = []
    private var lengths: [Int] = []
    private var networks: [NetworkKey: Int32] = [:]
    private var prefixLengths: [Int] = []
    /// The longest value (a set-header sizes its field with it).
    public private(set) var maximumValueLength = 0

    struct NetworkKey: Hashable { var high: UInt64; var low: UInt64; var length: Int }

    init(method: MatchMethod, ignoreCase: Bool, output: MapOutput?, substitutes: Bool = false, reference: PatternReference) {
        self.method = method; self.ignoreCase = ignoreCase; self.output = output; self.substitutes = substitutes
        self.reference = reference
    }

    /// The match method as HAProxy names it (`get map`'s type=).
    public var methodName: String { substitutes ? "regm" : method.rawValue }

    /// `map_regm`: the value of the first key matching `sample`, each `\N`
    /// replaced with group N of that match (`\\` a backslash), as HAProxy's
    /// exp_replace does; nil when no key matches. Builds its bytes: a
    /// regex already reads the sample as a String.
    public func substituted(_ sample: Sample) -> Sample? {
        rebuildIfNeeded()
        guard let list else { return nil }
        let text = sample.text
        for (i, r) in list.regexes.enumerated() {
            guard let m = try? r.firstMatch(in: text) else { continue }
            let value = reference.entries[entryIndices[i]].value ?? ""
            var out: [UInt8] = []
            var it = Array(value.utf8).makeIterator()
            while let c = it.next() {
                guard c == UInt8(ascii: "\\"), let n = it.next() else { out.append(c); continue }
                if ASCII.isDigit(n) {
                    let g = Int(n - 48)
                    if g < m.output.count, let part = m.output[g].substring { out.append(contentsOf: part.utf8) }
                } else {
                    out.append(n)
                }
            }
            return .bytes(out[...])
        }
        return nil
    }

    /// HAProxy keeps exact strings, prefixes without `-i` and networks in
    /// trees (`get map` says idx=tree), the rest in lists.
    public var usesTree: Bool {
        switch method {
        case .str, .beg: return !ignoreCase
        case .ip: return true
        default: return false
        }
    }

    /// Why `key` (and `value`, for a map) cannot be an entry of this
    /// expression, worded as HAProxy's pattern parsers; nil when both parse.
    func problem(key: String, value: String?) -> String? {
        switch method {
        case .ip:
            if IPNetwork(key) == nil { return "'\(key)' is not a valid IPv4 or IPv6 address" }
        case .int, .len:
            if (try? ACLPatterns.parseIntPatterns([key], acl: PatternIndex.placeholder)) == nil { return "'\(key)' is not a number" }
        case .reg:
            if (try? Regex(key)) == nil { return "regex '\(key)' is invalid" }
        default: break
        }
        if let output, let value, PatternIndex.sample(value, output) == nil { return "unable to parse '\(value)'" }
        return nil
    }

    static let placeholder = ACLDefinition(name: "", location: SourceLocation(file: "", line: 0), fetch: SampleFetch(name: ""), method: .int)

    /// A map value as its output type; nil when it does not parse.
    static func sample(_ text: String, _ output: MapOutput) -> Sample? {
        switch output {
        case .str: return .bytes(Array(text.utf8)[...])
        case .int:
            guard let v = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else { return nil }
            return .integer(v)
        case .ip:
            return IPAddress(text).map { .address($0) }
        }
    }

    // MARK: building

    func rebuildIfNeeded() {
        guard dirty else { return }
        dirty = false
        let entries = reference.entries
        let current = reference.currentVersion
        entryIndices = entries.indices.filter { entries[$0].version == current }
        var definition = ACLDefinition(name: reference.fileName ?? "#\(reference.id)", location: reference.location,
                                       fetch: SampleFetch(name: ""), method: method)
        definition.ignoreCase = ignoreCase
        // A key this expression cannot read (added for another one) never matches.
        entryIndices = entryIndices.filter { problem(key: entries[$0].key, value: nil) == nil }
        definition.patterns = (method == .found || method == .bool) ? [] : entryIndices.map { entries[$0].key }
        list = try? ACLPatterns(definition)
        values = []
        maximumValueLength = 0
        if let output {
            for i in entryIndices {
                let v = entries[i].value ?? ""
                values.append(PatternIndex.sample(v, output) ?? .bytes([][...]))
                maximumValueLength = max(maximumValueLength, v.utf8.count)
            }
        }
        table = []; keyBytes = []; lengths = []; networks = [:]; prefixLengths = []
        switch method {
        case .str, .beg:
            keyBytes = list?.strings ?? []
            buildTable()
            if method == .beg { lengths = Set(keyBytes.map(\.count)).sorted(by: >) }
        case .ip:
            for (i, n) in (list?.networks ?? []).enumerated() {
                let key = NetworkKey(high: n.address.high, low: n.address.low, length: n.prefixLength)
                if networks[key] == nil { networks[key] = Int32(i) }
            }
            prefixLengths = Set(networks.keys.map(\.length)).sorted(by: >)
        default: break
        }
    }

    private func buildTable() {
        var size = 8
        while size < keyBytes.count * 2 { size <<= 1 }
        table = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for (i, k) in keyBytes.enumerated() {
            var slot = k.withUnsafeBufferPointer { PatternIndex.hash($0, fold: false) } & mask
            while true {
                let e = table[slot]
                if e < 0 { table[slot] = Int32(i); break }
                // The first of equal keys wins, as the first in the file does in HAProxy.
                if keyBytes[Int(e)] == k { break }
                slot = (slot + 1) & mask
            }
        }
    }

    /// FNV-1a over the bytes (ASCII letters folded with `fold`).
    @inline(__always)
    static func hash(_ v: UnsafeBufferPointer<UInt8>, fold: Bool) -> Int {
        var h: UInt64 = 0xcbf29ce484222325
        for c in v {
            h ^= UInt64(fold ? ASCII.lower(c) : c)
            h = h &* 0x100000001b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    // MARK: matching

    /// The position (in the built entries) of the pattern `sample` matches, or nil.
    public func match(_ sample: Sample) -> Int? {
        rebuildIfNeeded()
        guard let list else { return nil }
        switch method {
        case .found, .bool:
            if method == .bool, !(sample.boolean ?? false) { return nil }
            return entryIndices.isEmpty ? nil : 0
        case .str:
            return sample.withBytes { lookup($0) }
        case .beg where !ignoreCase:
            return sample.withBytes { v in
                for n in lengths where n <= v.count {
                    if let i = lookup(UnsafeBufferPointer(rebasing: v[0..<n])) { return i }
                }
                return nil
            }
        case .ip:
            guard let a = sample.address else { return nil }
            let v = a.mappedIPv6
            for n in prefixLengths {
                let high = v.high & PatternIndex.mask(n), low = v.low & PatternIndex.mask(n - 64)
                if let i = networks[NetworkKey(high: high, low: low, length: n)] { return Int(i) }
            }
            return nil
        case .int:
            guard let n = sample.integer else { return nil }
            return list.ints.firstIndex { $0.contains(n) }
        case .len:
            let n = Int64(sample.byteCount)
            return list.ints.firstIndex { $0.contains(n) }
        case .reg:
            let text = sample.text
            return list.regexes.firstIndex { (try? $0.firstMatch(in: text)) != nil }
        case .beg, .end, .sub, .dir, .dom:
            return sample.withBytes { v in list.strings.firstIndex { list.matches(v, $0) } }
        }
    }

    @inline(__always)
    static func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << UInt64(64 - bits) }

    private func lookup(_ v: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !table.isEmpty else { return nil }
        let mask = table.count - 1
        var slot = PatternIndex.hash(v, fold: ignoreCase) & mask
        while true {
            let e = table[slot]
            if e < 0 { return nil }
            let k = keyBytes[Int(e)]
            if k.count == v.count, list!.equal(v, at: 0, k) { return Int(e) }
            slot = (slot + 1) & mask
        }
    }

    /// True when the sample matches a current entry (an ACL).
    public func matches(_ sample: Sample) -> Bool { match(sample) != nil }

    /// The value of the entry at `position` (from `match`), typed.
    public func value(at position: Int) -> Sample { values[position] }

    /// The reference's entry behind a match position (`get map`).
    func entry(at position: Int) -> PatternEntry { reference.entries[entryIndices[position]] }
}
