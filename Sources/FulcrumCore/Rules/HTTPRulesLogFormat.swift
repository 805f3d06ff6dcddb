import FulcrumConfig

/// A log-format string (`%[fetch]` samples, literal text) compiled once:
/// literals as bytes, fetches resolved. Expanding it writes the samples'
/// bytes casts (HAProxy's casts to string) straight into the result, sized
/// exactly first: one allocation for the value, none for the samples. A
/// missing sample expands to nothing (HAProxy writes nothing in header
/// values; its logs use "-").
public struct CompiledLogFormat: Sendable {
    enum Part: Sendable { case literal([UInt8]), sample(HTTPFetch) }
    let parts: [Part]
    /// The whole text when there is no sample (a constant backend name).
    public let constant: String?

    public init(_ lf: LogFormat) throws {
        parts = try lf.parts.map { part in
            switch part {
            case .literal(let s): return .literal(Array(s.utf8))
            case .sample(let f): return .sample(try HTTPFetch(f))
            }
        }
        constant = lf.isConstant ? lf.parts.reduce(into: "") { if case .literal(let s) = $1 { $0 += s } } : nil
    }

    /// The expansion's length in bytes.
    func count(context: HTTPRuleContext, acls: ACLSet?) -> Int {
        var n = 0
        for part in parts {
            switch part {
            case .literal(let b): n += b.count
            case .sample(let f): n += SampleFetcher.sample(f, context: context, acls: acls)?.byteCount ?? 0
            }
        }
        return n
    }

    /// Appends the expansion to `out`.
    func append(context: HTTPRuleContext, acls: ACLSet?, to out: inout [UInt8]) {
        for part in parts {
            switch part {
            case .literal(let b): out.append(contentsOf: b)
            case .sample(let f): SampleFetcher.sample(f, context: context, acls: acls)?.append(to: &out)
            }
        }
    }

    /// The expansion in a new array of exactly its size.
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
            case .sample(let f): out += SampleFetcher.sample(f, context: context, acls: acls)?.text ?? missing
            }
        }
        return out
    }
}

/// Log-format strings as parsed, for callers that expand one once (tests,
/// diagnostics); the request path uses `CompiledLogFormat`.
public enum LogFormatter {
    public static func expand(_ lf: LogFormat, context: HTTPRuleContext, acls: ACLSet? = nil, missing: String = "") -> String {
        (try? CompiledLogFormat(lf))?.string(context: context, acls: acls, missing: missing) ?? missing
    }

    /// Checks every sample of a log-format at load time.
    public static func validate(_ lf: LogFormat) throws { _ = try CompiledLogFormat(lf) }
}
