/// HAProxy 2.6 reads a rule's action before its condition (parse_http_req_cond
/// and parse_http_res_cond): the map files an action's converters name are
/// numbered before the condition's inline patterns, as `show map` and `show
/// acl` list them. These split the words first and read the condition once
/// the action is read.
extension ParseSession {
    /// The words before `if`/`unless` (from `start`), and where the condition starts.
    func actionWords(_ words: [Word], from start: Int) -> (args: [Word], conditionAt: Int?) {
        guard let c = words[start...].firstIndex(where: { $0.text == "if" || $0.text == "unless" }) else {
            return (Array(words[start...]), nil)
        }
        return (Array(words[start..<c]), c)
    }

    /// The condition from `conditionAt` (`.some(nil)`: none); nil after reporting an error.
    mutating func condition(_ words: [Word], at conditionAt: Int?, display: String, draft index: Int,
                            at: (Word) -> SourceLocation) -> RuleCondition?? {
        guard let c = conditionAt else { return .some(nil) }
        guard let condition = ruleCondition(words[c...], display: display, draft: index, at: at) else { return nil }
        return .some(condition)
    }
}
