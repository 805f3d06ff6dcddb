import FulcrumBytes
import FulcrumConfig
import FulcrumLog

/// A sample's converters compiled: text ones (lower, upper, hex, base64)
/// work in place on the bytes written so far; a map converter looks the
/// current value up in its pattern reference's index (typed: an address
/// for `map_ip`, an integer for `map_int`, bytes otherwise) and continues
/// with the entry's value, typed by its output, or the default. Nothing is
/// allocated: the value is the index's own storage, appended to the
/// caller's buffer only when something must be written.
struct ConverterChain: @unchecked Sendable {
    // @unchecked: the indexes are read and rebuilt by one worker's thread.
    enum Step {
        case text(LogSampleConverter)
        case map(PatternIndex, fallback: Sample?)
    }
    let steps: [Step]

    init(_ calls: [SampleConverterCall]) throws {
        steps = try calls.map { call in
            switch call {
            case .text(let c): return .text(c)
            case .map(let m):
                guard let store = PatternStore.compiling, let index = store.mapExpression(m) else {
                    throw HTTPRulesError("converter '\(m.name)': map file '\(m.file)' is not loaded")
                }
                return .map(index, fallback: m.defaultValue.flatMap { PatternIndex.sample($0, m.output) })
            }
        }
    }

    var isEmpty: Bool { steps.isEmpty }

    /// Appends the converted sample to `out`; false (nothing appended)
    /// when a map found nothing and has no default.
    func append(_ input: Sample, to out: inout [UInt8]) -> Bool {
        guard let result = run(input, on: &out) else { return false }
        if case .some(let s) = result { s.append(to: &out) }
        return true
    }

    /// The converted sample for a matcher: a typed value, or bytes that
    /// stand in `scratch` (reused, so an ACL allocates nothing).
    func apply(_ input: Sample, scratch: inout [UInt8]) -> Sample? {
        scratch.removeAll(keepingCapacity: true)
        guard let result = run(input, on: &scratch) else { return nil }
        if case .some(let s) = result { return s }
        return .bytes(scratch[...])
    }

    /// Runs the steps: nil when a step yields nothing; `.some(sample)`
    /// when the result is a value not yet written; `.none` when it is the
    /// bytes appended to `out` from where it stood.
    private func run(_ input: Sample, on out: inout [UInt8]) -> Sample?? {
        let mark = out.count
        var pending: Sample? = input
        for step in steps {
            switch step {
            case .text(let c):
                if let s = pending { s.append(binary: c.readsBinary, to: &out); pending = nil }
                c.apply(to: &out, from: mark)
            case .map(let index, let fallback) where index.substitutes:
                let input = pending ?? .bytes(Array(out[mark...])[...])
                if pending == nil { out.removeSubrange(mark...) }
                guard let next = index.substituted(input) ?? fallback else { return nil }
                pending = next
            case .map(let index, let fallback):
                let position: Int?
                if let s = pending {
                    position = index.match(s)
                } else {
                    position = ConverterChain.lookup(index, out, from: mark)
                    out.removeSubrange(mark...)
                }
                guard let next = position.map({ index.value(at: $0) }) ?? fallback else {
                    out.removeSubrange(mark...)
                    return nil
                }
                pending = next
            }
        }
        return .some(pending)
    }

    /// The index looked up with the bytes written from `mark` (the slice
    /// ends with this call, so `out` stays uniquely referenced).
    private static func lookup(_ index: PatternIndex, _ out: [UInt8], from mark: Int) -> Int? {
        index.match(.bytes(out[mark...]))
    }

    /// An upper bound of the output's length for an input of `count` bytes.
    func maximumLength(forInput count: Int) -> Int {
        var k = count
        for (i, step) in steps.enumerated() {
            switch step {
            case .text(let c):
                if i == 0 && c.readsBinary { k = max(k, 16) }
                k = c.maximumLength(forInput: k)
            case .map(let index, let fallback):
                index.rebuildIfNeeded()
                var n = index.maximumValueLength
                switch index.output {
                case .int?: n = max(n, 20)
                case .ip?: n = max(n, 39)
                default: break
                }
                // map_regm: each \\N (two bytes of the value) may stand for the whole input.
                if index.substitutes { n += (index.maximumValueLength / 2) * k }
                if let fallback { n = max(n, fallback.byteCount) }
                // A text step after a map may read the value's binary form.
                k = max(n, 16)
            }
        }
        return k
    }
}
