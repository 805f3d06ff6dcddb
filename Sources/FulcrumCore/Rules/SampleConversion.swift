import FulcrumBytes
import FulcrumConfig
import FulcrumLog

/// A converter ready to run: regexes built, variables resolved to slots,
/// map files resolved to their pattern reference's index.
public struct CompiledConverter: @unchecked Sendable {
    // @unchecked: Regex values are only read after init; a map's index is
    // read and rebuilt by one worker's thread.
    enum Op {
        case lower, upper, hex, base64, b64dec, length
        case urlDec(inForm: Bool)
        case json(SampleConverter.JSONInput)
        case regsub(Regex<AnyRegexOutput>, replacement: [UInt8], global: Bool)
        case field(index: Int, delimiters: [UInt8], count: Int)
        case word(index: Int, delimiters: [UInt8], count: Int)
        case bytes(offset: Int64, length: Int64?)
        case hash(HashFunction, avalanche: Bool)
        case xxh64(seed: UInt64)
        case ipmask(v4: Int, v6: Int)
        case concat(prefix: [UInt8], variable: VariableRef?, suffix: [UInt8])
        case strcmp(VariableRef)
        case arithmetic(SampleConverter.ArithmeticOperator, Operand)
        case neg, not, bool, odd, even, cpl
        case setVar(VariableRef)
        case unsetVar(VariableRef)
        /// A map lookup; `fallback` is the default typed by the map's output.
        case map(PatternIndex, fallback: Sample?)
        /// `in_table` (nil) or `table_X`: what is read from table `table`'s entry.
        case stickTable(StickFetch.Value?, table: String)
    }
    enum Operand { case constant(Int64), variable(VariableRef) }
    let op: Op
    /// Reads its input as binary (HAProxy's cast to bin).
    let readsBinary: Bool

    public init(_ c: SampleConverter) throws {
        readsBinary = c.readsBinary
        switch c {
        case .lower: op = .lower
        case .upper: op = .upper
        case .hex: op = .hex
        case .base64: op = .base64
        case .b64dec: op = .b64dec
        case .length: op = .length
        case .urlDec(let f): op = .urlDec(inForm: f)
        case .json(let m): op = .json(m)
        case .regsub(let pattern, let replacement, let global, let ignoreCase):
            var r: Regex<AnyRegexOutput>
            do { r = try Regex(pattern) } catch { throw HTTPRulesError("regsub: invalid regex '\(pattern)': \(error)") }
            if ignoreCase { r = r.ignoresCase() }
            op = .regsub(r, replacement: Array(replacement.utf8), global: global)
        case .field(let i, let d, let n): op = .field(index: i, delimiters: d, count: n)
        case .word(let i, let d, let n): op = .word(index: i, delimiters: d, count: n)
        case .bytes(let o, let l): op = .bytes(offset: o, length: l)
        case .hash(let f, let a): op = .hash(f, avalanche: a)
        case .xxh64(let seed): op = .xxh64(seed: UInt64(bitPattern: seed))
        case .ipmask(let v4, let v6): op = .ipmask(v4: v4, v6: v6)
        case .concat(let p, let v, let s): op = .concat(prefix: p, variable: v.map(VariableRef.init), suffix: s)
        case .strcmp(let v): op = .strcmp(VariableRef(v))
        case .arithmetic(let o, .constant(let k)): op = .arithmetic(o, .constant(k))
        case .arithmetic(let o, .variable(let v)): op = .arithmetic(o, .variable(VariableRef(v)))
        case .neg: op = .neg
        case .not: op = .not
        case .bool: op = .bool
        case .odd: op = .odd
        case .even: op = .even
        case .cpl: op = .cpl
        case .setVar(let v): op = .setVar(VariableRef(v))
        case .unsetVar(let v): op = .unsetVar(VariableRef(v))
        case .map(let m):
            guard let store = PatternStore.compiling, let index = store.mapExpression(m) else {
                throw HTTPRulesError("converter '\(m.name)': map file '\(m.file)' is not loaded")
            }
            op = .map(index, fallback: m.defaultValue.flatMap { PatternIndex.sample($0, m.output) })
        case .stickTable(let t):
            guard let suffix = t.fetchSuffix else { op = .stickTable(nil, table: t.table); break }
            let arguments = t.element.map { [String($0)] } ?? []
            guard let f = try StickFetch(name: "src_" + suffix, arguments: arguments) else {
                throw HTTPRulesError("unknown converter '\(t.name)'")
            }
            op = .stickTable(f.value, table: t.table)
        }
    }

    /// Output bytes for `count` input bytes when known (sizing a value); nil
    /// when it depends on the data or on variables.
    func maximumLength(forInput count: Int) -> Int? {
        switch op {
        case .lower, .upper, .b64dec, .urlDec, .field, .word, .bytes: return count
        case .hex: return count * 2
        case .base64: return (count + 2) / 3 * 4
        case .json: return count * 12
        case .length, .hash, .xxh64, .strcmp, .arithmetic, .neg, .not, .bool, .odd, .even, .cpl, .stickTable: return 20
        case .ipmask: return 48
        case .setVar, .unsetVar: return count
        case .regsub, .concat: return nil
        case .map(let index, let fallback):
            index.rebuildIfNeeded()
            var n = index.maximumValueLength
            switch index.output {
            case .int?: n = max(n, 20)
            case .ip?: n = max(n, 39)
            default: break
            }
            // map_regm: each \\N (two bytes of the value) may stand for the whole input.
            if index.substitutes { n += (index.maximumValueLength / 2) * count }
            if let fallback { n = max(n, fallback.byteCount) }
            return n
        }
    }
}

/// Runs converter chains on typed samples, as HAProxy's sample_process:
/// each converter casts its input to the type it reads (c_* casts) and
/// yields a typed output. Bytes are kept in the caller's buffer after
/// `mark` (a header value being built, a variable's scratch buffer), so a
/// chain of text converters writes in place and allocates nothing once the
/// buffer is warm (regsub, json and base64 excepted: they copy once).
public enum SampleConversion {
    /// A chain's current value; `.bytes` means `out[mark...]`.
    public enum Value: Equatable {
        case bool(Bool), integer(Int64), address(IPAddress), bytes
    }

    /// Runs `converters` on `sample`; nil when one fails (no sample, as
    /// HAProxy: the value is then missing).
    public static func run(_ converters: [CompiledConverter], on sample: Sample, variables: RuleVariables?,
                           stick: StickTracker? = nil, out: inout [UInt8], mark: Int) -> Value? {
        var value: Value
        switch sample {
        case .bool(let b): value = .bool(b)
        case .integer(let i): value = .integer(i)
        case .address(let a): value = .address(a)
        case .bytes(let b): out.append(contentsOf: b); value = .bytes
        }
        for c in converters {
            guard let next = step(c, value, variables: variables, stick: stick, out: &out, mark: mark) else {
                out.removeSubrange(mark...)
                return nil
            }
            value = next
        }
        return value
    }

    /// Writes a typed value's text after `mark` (log-format expansion).
    public static func writeText(_ value: Value, out: inout [UInt8]) {
        switch value {
        case .bytes: break
        case .bool(let b): out.append(b ? 0x31 : 0x30)
        case .integer(let i): Sample.integer(i).append(to: &out)
        case .address(let a): a.withText { out.append(contentsOf: $0) }
        }
    }

    /// The value as a Sample (bytes as a slice of `out`).
    public static func sample(_ value: Value, out: [UInt8], mark: Int) -> Sample {
        switch value {
        case .bool(let b): return .bool(b)
        case .integer(let i): return .integer(i)
        case .address(let a): return .address(a)
        case .bytes: return .bytes(out[mark...])
        }
    }

    /// Casts the current value to bytes in `out` (text, or binary for the
    /// converters reading bin).
    static func toBytes(_ value: Value, binary: Bool, out: inout [UInt8]) {
        guard value != .bytes else { return }
        if binary {
            switch value {
            case .bool(let b): LogSampleConverter.appendBinary(Int64(b ? 1 : 0), to: &out)
            case .integer(let i): LogSampleConverter.appendBinary(i, to: &out)
            case .address(let a): LogSampleConverter.appendBinary(a, to: &out)
            case .bytes: break
            }
        } else {
            writeText(value, out: &out)
        }
    }

    /// The integer cast of the current value (c_str2int for bytes).
    static func integer(_ value: Value, _ out: [UInt8], _ mark: Int) -> Int64? {
        switch value {
        case .bool(let b): return b ? 1 : 0
        case .integer(let i): return i
        case .address(.v4(let a)): return Int64(a.value)
        case .address(.v6): return nil
        case .bytes: return Sample.leadingInteger(out[mark...])
        }
    }

    static func operand(_ o: CompiledConverter.Operand, _ variables: RuleVariables?) -> Int64? {
        switch o {
        case .constant(let k): return k
        case .variable(let ref): return variables?.get(ref)?.integer
        }
    }

    static func step(_ c: CompiledConverter, _ value: Value, variables: RuleVariables?, stick: StickTracker?,
                     out: inout [UInt8], mark: Int) -> Value? {
        func text() { toBytes(value, binary: c.readsBinary, out: &out) }
        func int() -> Int64? {
            let i = integer(value, out, mark)
            if value == .bytes { out.removeSubrange(mark...) }
            return i
        }
        switch c.op {
        case .lower:
            text(); for i in mark..<out.count where out[i] &- 0x41 < 26 { out[i] |= 0x20 }
            return .bytes
        case .upper:
            text(); for i in mark..<out.count where out[i] &- 0x61 < 26 { out[i] &= ~0x20 }
            return .bytes
        case .hex:
            text(); LogSampleConverter.hex(&out, from: mark); return .bytes
        case .base64:
            text(); LogSampleConverter.base64(&out, from: mark); return .bytes
        case .b64dec:
            text()
            // HAProxy's base64dec takes only whole quanta of 4 characters.
            guard (out.count - mark) % 4 == 0,
                  let decoded = Base64.decode(String(decoding: out[mark...], as: UTF8.self)) else { return nil }
            out.removeSubrange(mark...); out.append(contentsOf: decoded)
            return .bytes
        case .length:
            text(); let n = out.count - mark; out.removeSubrange(mark...)
            return .integer(Int64(n))
        case .urlDec(let inForm):
            text(); return SampleCodecs.urlDecode(&out, from: mark, inForm: inForm) ? .bytes : nil
        case .json(let mode):
            text(); return SampleCodecs.json(&out, from: mark, input: mode) ? .bytes : nil
        case .regsub(let regex, let replacement, let global):
            text(); SampleCodecs.regsub(&out, from: mark, regex: regex, replacement: replacement, global: global)
            return .bytes
        case .field(let index, let delimiters, let count):
            text()
            guard let r = SampleCodecs.field(out[mark...], index: index, delimiters: delimiters, count: count) else { return nil }
            keep(&out, mark: mark, r)
            return .bytes
        case .word(let index, let delimiters, let count):
            text()
            guard let r = SampleCodecs.word(out[mark...], index: index, delimiters: delimiters, count: count) else { return nil }
            keep(&out, mark: mark, r)
            return .bytes
        case .bytes(let offset, let length):
            text()
            let n = out.count - mark
            let start = Int(min(offset, Int64(n)))
            let end = length.map { Int(min(Int64(start) + $0, Int64(n))) } ?? n
            keep(&out, mark: mark, (mark + start)..<(mark + end))
            return .bytes
        case .hash(let f, let avalanche):
            text()
            let h = out[mark...].withUnsafeBytes { LBHash.hash($0, function: f, avalanche: avalanche) }
            out.removeSubrange(mark...)
            return .integer(Int64(h))
        case .xxh64(let seed):
            text()
            let h = out[mark...].withUnsafeBytes { XXH64.hash($0, seed: seed) }
            out.removeSubrange(mark...)
            return .integer(Int64(bitPattern: h))
        case .ipmask(let v4, let v6):
            let address: IPAddress?
            if value == .bytes { address = IPAddress(ascii: out[mark...]); out.removeSubrange(mark...) }
            else if case .address(let a) = value { address = a }
            else if case .integer(let i) = value { address = .v4(IPv4Address(UInt32(truncatingIfNeeded: i))) }
            else { address = nil }
            guard let address else { return nil }
            switch address {
            case .v4(let a):
                let m: UInt32 = v4 == 0 ? 0 : ~UInt32(0) << UInt32(32 - v4)
                return .address(.v4(IPv4Address(a.value & m)))
            case .v6(let a):
                let hm: UInt64 = v6 == 0 ? 0 : v6 >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - v6)
                let lm: UInt64 = v6 <= 64 ? 0 : v6 == 128 ? ~0 : ~UInt64(0) << UInt64(128 - v6)
                return .address(.v6(IPv6Address(high: a.high & hm, low: a.low & lm)))
            }
        case .concat(let prefix, let variable, let suffix):
            text()
            out.append(contentsOf: prefix)
            if let variable, let v = variables?.get(variable) { v.append(to: &out) }
            out.append(contentsOf: suffix)
            return .bytes
        case .strcmp(let variable):
            text()
            guard let other = variables?.get(variable) else { out.removeSubrange(mark...); return nil }
            let r: Int64 = other.withBytes { b in
                let mine = out[mark...]
                var it = b.makeIterator()
                for x in mine {
                    guard let y = it.next() else { return 1 }
                    if x != y { return Int64(x) - Int64(y) }
                }
                return mine.count == b.count ? 0 : -1
            }
            out.removeSubrange(mark...)
            return .integer(r)
        case .arithmetic(let o, let operand):
            guard let a = int(), let b = self.operand(operand, variables) else { return nil }
            return .integer(Arithmetic.apply(o, a, b))
        case .neg:
            guard let a = int() else { return nil }
            return .integer(a == .min ? .max : -a)
        case .cpl:
            guard let a = int() else { return nil }
            return .integer(~a)
        case .not:
            guard let a = int() else { return nil }
            return .bool(a == 0)
        case .bool:
            guard let a = int() else { return nil }
            return .bool(a != 0)
        case .odd:
            guard let a = int() else { return nil }
            return .bool(a & 1 == 1)
        case .even:
            guard let a = int() else { return nil }
            return .bool(a & 1 == 0)
        case .setVar(let ref):
            if let variables { variables.set(ref, sample(value, out: out, mark: mark)) }
            return value
        case .unsetVar(let ref):
            variables?.unset(ref)
            return value
        case .stickTable(let read, let table):
            let input = sample(value, out: out, mark: mark)
            let found = stick.flatMap { StickFetching.lookup(input, in: table, reading: read, tables: $0.tables) }
            if value == .bytes { out.removeSubrange(mark...) }
            switch found {
            case .bool(let b)?: return .bool(b)
            case .integer(let i)?: return .integer(i)
            default: return nil
            }
        case .map(let index, let fallback):
            let found: Sample?
            if value == .bytes {
                // The lookup reads the bytes in place; they are dropped after.
                found = index.substitutes ? index.substituted(.bytes(out[mark...]))
                                          : index.match(.bytes(out[mark...])).map { index.value(at: $0) }
                out.removeSubrange(mark...)
            } else {
                let input = sample(value, out: out, mark: mark)
                found = index.substitutes ? index.substituted(input) : index.match(input).map { index.value(at: $0) }
            }
            guard let result = found ?? fallback else { return nil }
            switch result {
            case .bool(let b): return .bool(b)
            case .integer(let i): return .integer(i)
            case .address(let a): return .address(a)
            case .bytes(let b): out.append(contentsOf: b); return .bytes
            }
        }
    }

    /// Keeps `r` (absolute indices into `out`) as the bytes after `mark`.
    static func keep(_ out: inout [UInt8], mark: Int, _ r: Range<Int>) {
        let n = r.count
        if r.lowerBound != mark { for i in 0..<n { out[mark + i] = out[r.lowerBound + i] } }
        out.removeSubrange((mark + n)...)
    }
}

/// HAProxy's capped 64-bit arithmetic (arith_add & co. in sample.c): results
/// saturate instead of wrapping; a division by 0 gives LLONG_MAX, a modulo
/// by 0 gives 0.
enum Arithmetic {
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? (a < 0 ? .min : .max) : r
    }

    static func apply(_ o: SampleConverter.ArithmeticOperator, _ a: Int64, _ b: Int64) -> Int64 {
        switch o {
        case .add: return add(a, b)
        case .sub:
            if b == .min { let r = add(a, .max); return r < .max ? r + 1 : r }
            return add(a, -b)
        case .mul:
            if a == 0 || b == 0 { return 0 }
            if a == .min && b == -1 { return .max }
            let (r, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? ((a < 0) == (b < 0) ? .max : .min) : r
        case .div:
            if b == 0 { return .max }
            if a == .min && b == -1 { return .max }
            return a / b
        case .mod:
            if b == 0 { return 0 }
            if a == .min && b == -1 { return 0 }
            return a % b
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        }
    }
}
