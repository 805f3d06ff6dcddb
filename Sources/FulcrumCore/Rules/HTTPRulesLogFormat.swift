import FulcrumConfig

/// Expands a log-format string (`%[fetch]` samples, literal text) against a
/// request. A missing sample expands to `missing` (HAProxy writes nothing in
/// header values; its logs use "-").
public enum LogFormatter {
    public static func expand(_ lf: LogFormat, context: HTTPRuleContext, acls: ACLSet? = nil, missing: String = "") -> String {
        var out = ""
        for part in lf.parts {
            switch part {
            case .literal(let s): out += s
            case .sample(let f):
                guard let compiled = try? HTTPFetch(f) else { out += missing; continue }
                out += SampleFetcher.single(compiled, context: context, acls: acls) ?? missing
            }
        }
        return out
    }

    /// Checks every sample of a log-format at load time.
    public static func validate(_ lf: LogFormat) throws {
        for case .sample(let f) in lf.parts { _ = try HTTPFetch(f) }
    }
}
