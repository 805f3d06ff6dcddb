import FulcrumConfig

/// A mode tcp proxy's content inspection compiled once per worker: its
/// `tcp-request content` rules with `inspect-delay`, and (frontend side)
/// its `use_backend` rules. Evaluated on the bytes the stream received, as
/// HAProxy's tcp_inspect_request and process_switching_rules do.
public final class TCPCompiledRules: Sendable {
    public enum Verdict: Equatable, Sendable {
        case accept, reject
        /// A rule cannot decide yet: wait for more bytes or the inspect-delay.
        case wait
    }

    /// ms; nil: every evaluation is final (no waiting).
    public let inspectDelay: Int?
    let rules: [(action: TCPContentRules.Action, condition: ACLCondition?)]
    let useBackends: [(name: String, condition: ACLCondition?)]
    let acls: ACLSet

    /// Whether streams must be held before they connect: only content
    /// rules wait for bytes (use_backend alone decides on what is there).
    public var inspects: Bool { !rules.isEmpty }

    public init(content: TCPContentRules, http: HTTPProxySettings, userlists: [Userlist],
                crypt: @escaping (String, String) -> String?) throws {
        let acls = try ACLSet(http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        inspectDelay = content.inspectDelay
        rules = try content.rules.map { ($0.action, try acls.compile($0.condition)) }
        useBackends = try http.useBackends.map { ($0.backend.text, try acls.compile($0.condition)) }
    }

    /// The content rules in order: the first whose condition holds decides;
    /// a condition that cannot be decided yet makes the stream wait (unless
    /// `context.payloadFinal`); no rule matching accepts.
    public func inspect(_ context: HTTPRuleContext) -> Verdict {
        for rule in rules {
            if let c = rule.condition {
                let r = HTTPConditions.test(c, acls: acls, context: context)
                if r == .miss { return .wait }
                if (r == .pass) == c.unless { continue }
            }
            return rule.action == .accept ? .accept : .reject
        }
        return .accept
    }

    /// The backend of the first `use_backend` whose condition holds on what
    /// is there (HAProxy evaluates switching rules as final); nil: none did.
    public func route(_ context: HTTPRuleContext) -> String? {
        var final = context
        final.payloadFinal = true
        for u in useBackends where HTTPConditions.evaluate(u.condition, acls: acls, context: final) {
            return u.name
        }
        return nil
    }
}
