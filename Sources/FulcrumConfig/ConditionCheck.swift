extension ConfigParser {
    /// `-cc EXPR`: the expression is split as a configuration line is
    /// (quotes, `$VAR` and `${VAR}`), then evaluated as `.if` evaluates its
    /// words, so a condition can be tried on the command line before it goes
    /// into a file. A failure is the message HAProxy's `-cc` prints after
    /// "Failed to evaluate condition: ".
    public static func evaluateCondition(_ expression: String, environment: [String: String],
                                         serverVerifyNone: Bool = false) -> Result<Bool, ConditionFailure> {
        let (words, failure) = LineTokenizer(environment: environment, pseudoVariables: [:]).split(expression)
        if let failure { return .failure(ConditionFailure(message: failure.message)) }
        var enabled = enabledOptions
        if serverVerifyNone { enabled.insert("SERVER-SSL-VERIFY-NONE") }
        let evaluator = ConditionEvaluator(environment: environment, version: compatibleVersion, features: features,
                                           enabledOptions: enabled, knownOptions: knownEnabledOptions)
        switch evaluator.evaluate(words.map(\.text).joined(separator: " ")) {
        case .success(let value): return .success(value)
        case .failure(let f): return .failure(ConditionFailure(message: f.message))
        }
    }

    public struct ConditionFailure: Error, Equatable { public var message: String }
}
