import FulcrumConfig

/// `if` / `unless` conditions: AND within a group, OR between groups, `!`
/// negating one term; a term holding several ACL lines (same name) is their OR.
public enum HTTPConditions {
    /// Compiled form: what the request path uses.
    public static func evaluate(_ c: ACLCondition?, acls: ACLSet?, context: HTTPRuleContext) -> Bool {
        guard let c else { return true }
        var result = false
        for group in c.groups {
            var all = true
            for term in group {
                var m = false
                for acl in term.acls where acl.matches(context, acls: acls) { m = true; break }
                if m == term.negated { all = false; break }
            }
            if all { result = true; break }
        }
        return c.unless ? !result : result
    }

    /// Convenience over a condition as parsed: named ACLs are looked up in
    /// `acls`, anonymous ones compiled once and cached there. A reference that
    /// cannot be resolved makes the condition false (load-time `compile`
    /// reports it as an error).
    public static func evaluate(_ c: RuleCondition?, acls: ACLSet, context: HTTPRuleContext) -> Bool {
        guard let c else { return true }
        guard let compiled = try? acls.compile(c) else { return false }
        return evaluate(compiled, acls: acls, context: context)
    }
}
