/// HAProxy's three-valued ACL result (acl.c): an ACL whose fetch may still
/// change with more bytes and did not match yet is a MISS, which makes a
/// `tcp-request content` rule wait instead of deciding. The raw values are
/// HAProxy's (FAIL 0, MISS 1, PASS 3) so that OR and AND are bitwise.
public enum ACLTestResult: UInt8, Sendable {
    case fail = 0, miss = 1, pass = 3

    static func | (a: Self, b: Self) -> Self { Self(rawValue: a.rawValue | b.rawValue)! }
    static func & (a: Self, b: Self) -> Self { Self(rawValue: a.rawValue & b.rawValue)! }
    /// `!acl`: a MISS stays a MISS.
    var negated: Self { Self(rawValue: 3 >> rawValue)! }
}

extension CompiledACL {
    /// `matches`, with MISS for a payload fetch whose answer may change
    /// while the evaluation is not final.
    func test(_ context: HTTPRuleContext, acls: ACLSet?) -> ACLTestResult {
        guard case .payload(let p, let response) = fetch, let bytes = context.payload else {
            return matches(context, acls: acls) ? .pass : .fail
        }
        let variables = context.variables  // not the context: a capture copies it
        // The other direction's buffer holds nothing yet (haproxy reads it: res.len is 0 in a request rule).
        guard response == context.payloadIsResponse else {
            return p.forEach([], limit: context.payloadLimit) { matches(sample: $0, variables: variables) }.matched ? .pass : .fail
        }
        let o = p.forEach(bytes, limit: context.payloadLimit) { matches(sample: $0, variables: variables) }
        if o.matched { return .pass }
        return o.mayChange && !context.payloadFinal ? .miss : .fail
    }
}

extension HTTPConditions {
    /// A condition's three-valued result, before `unless` (acl_exec_cond):
    /// terms AND-ed within a group, groups OR-ed, each stopping as soon as
    /// the result cannot change.
    public static func test(_ c: ACLCondition, acls: ACLSet?, context: HTTPRuleContext) -> ACLTestResult {
        var result = ACLTestResult.fail
        for group in c.groups {
            var suite = ACLTestResult.pass
            for term in group {
                var r = ACLTestResult.fail
                for acl in term.acls {
                    r = r | acl.test(context, acls: acls)
                    if r == .pass { break }
                }
                suite = suite & (term.negated ? r.negated : r)
                if suite != .pass { break }
            }
            result = result | suite
            if result == .pass { break }
        }
        return result
    }
}
