import FulcrumConfig
import FulcrumLog

/// A log-format value (header values, redirects, dynamic backend names)
/// compiled once: literals as bytes, fetches resolved, converters and the
/// variables a rule knows (`LogFormat.ruleVariables`: client and frontend
/// address and port, the request line and its parts) kept as values.
/// Expanding it writes straight into the result, sized first (exactly for
/// literals and plain samples, an upper bound for variables and converters):
/// one allocation for the value. A missing sample expands to nothing (HAProxy
/// writes nothing in header values; its logs use "-").
public struct CompiledLogFormat: Sendable {
    enum Part: Sendable {
        case literal([UInt8])
        case sample(HTTPFetch, [CompiledConverter])
        case variable(LogVariable, LogFlags)
    }
    let parts: [Part]
    /// The whole text when there is no sample (a constant backend name).
    public let constant: String?

    public init(_ lf: LogFormat) throws {
        parts = try lf.parts.map { part in
            switch part {
            case .literal(let s): return .literal(Array(s.utf8))
            case .sample(let f): return .sample(try HTTPFetch(f), try f.converters.map(CompiledConverter.init))
            case .variable(let v, let flags):
                guard LogFormat.ruleVariables.contains(v) else {
                    throw HTTPRulesError("log-format variable '%\(v.name)' is not available outside log lines")
                }
                return .variable(v, flags)
            }
        }
        constant = lf.isConstant ? lf.parts.reduce(into: "") { if case .literal(let s) = $1 { $0 += s } } : nil
    }

    /// What the variables read: the connection's endpoints and the request
    /// line as received (HAProxy logs the line before rules rewrite it).
    static func record(_ context: HTTPRuleContext) -> LogRecord {
        var r = LogRecord()
        let c = context.connection
        r.client = .ip(c.source.address, port: c.source.port)
        r.frontendAddress = .ip(c.destination.address, port: c.destination.port)
        let head = context.request
        if head.part1.lowerBound <= head.part3.upperBound, head.part3.upperBound <= head.raw.count {
            r.requestLine = head.raw[head.part1.lowerBound..<head.part3.upperBound]
        }
        return r
    }

    /// An upper bound of the expansion's length in bytes.
    func count(context: HTTPRuleContext, acls: ACLSet?) -> Int {
        var n = 0
        for part in parts {
            switch part {
            case .literal(let b): n += b.count
            case .sample(let f, let converters):
                var k = SampleFetcher.sample(f, context: context, acls: acls)?.byteCount ?? 0
                if converters.first?.readsBinary == true { k = max(k, 16) }
                // The chain works in place: the buffer holds each step's
                // value in turn (a map's input may be longer than its value).
                var peak = k
                for c in converters { k = c.maximumLength(forInput: k) ?? (k + 64); peak = max(peak, k) }
                n += peak
            case .variable(let v, _):
                switch v {
                case .clientIP, .frontendIP: n += 48
                case .clientPort, .frontendPort: n += 8
                default: n += 3 * min(context.request.part3.upperBound, LogRecord.requestLineLimit) + 12
                }
            }
        }
        return n
    }

    /// Appends the expansion to `out`.
    func append(context: HTTPRuleContext, acls: ACLSet?, to out: inout [UInt8]) {
        for part in parts {
            switch part {
            case .literal(let b): out.append(contentsOf: b)
            case .sample(let f, let converters):
                guard let sample = SampleFetcher.sample(f, context: context, acls: acls) else { continue }
                CompiledLogFormat.append(sample, converters, variables: context.variables, stick: context.stick, to: &out)
            case .variable(let v, let flags):
                v.append(flags: flags, record: CompiledLogFormat.record(context), to: &out)
            }
        }
    }

    /// Appends a sample through its converters (as text); false when a
    /// converter failed (nothing appended).
    @discardableResult
    static func append(_ sample: Sample, _ converters: [CompiledConverter], variables: RuleVariables?, stick: StickTracker? = nil,
                       to out: inout [UInt8]) -> Bool {
        if converters.isEmpty { sample.append(to: &out); return true }
        let mark = out.count
        guard let value = SampleConversion.run(converters, on: sample, variables: variables, stick: stick, out: &out, mark: mark) else { return false }
        SampleConversion.writeText(value, out: &out)
        return true
    }

    /// The expansion in a new array sized for it.
    public func bytes(context: HTTPRuleContext, acls: ACLSet?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count(context: context, acls: acls))
        append(context: context, acls: acls, to: &out)
        return out
    }

    /// The expansion as text (backend names, redirect locations).
    public func string(context: HTTPRuleContext, acls: ACLSet?, missing: String = "") -> String {
        if let constant { return constant }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let b): out += String(decoding: b, as: UTF8.self)
            case .sample(let f, let converters):
                if converters.isEmpty {
                    out += SampleFetcher.sample(f, context: context, acls: acls)?.text ?? missing
                } else {
                    var bytes: [UInt8] = []
                    guard let sample = SampleFetcher.sample(f, context: context, acls: acls),
                          CompiledLogFormat.append(sample, converters, variables: context.variables, stick: context.stick, to: &bytes) else { out += missing; continue }
                    out += String(decoding: bytes, as: UTF8.self)
                }
            case .variable(let v, let flags):
                var bytes: [UInt8] = []
                v.append(flags: flags, record: CompiledLogFormat.record(context), to: &bytes)
                out += String(decoding: bytes, as: UTF8.self)
            }
        }
        return out
    }
}

/// Log-format values as parsed, for callers that expand one once (tests,
/// diagnostics); the request path uses `CompiledLogFormat`.
public enum LogFormatter {
    public static func expand(_ lf: LogFormat, context: HTTPRuleContext, acls: ACLSet? = nil, missing: String = "") -> String {
        (try? CompiledLogFormat(lf))?.string(context: context, acls: acls, missing: missing) ?? missing
    }

    /// Checks every sample and variable of a log-format at load time.
    public static func validate(_ lf: LogFormat) throws { _ = try CompiledLogFormat(lf) }
}
