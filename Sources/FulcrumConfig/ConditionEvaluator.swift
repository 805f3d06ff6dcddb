/// Evaluates the expression of `.if` / `.elif` as HAProxy's section 2.4
/// "Conditional blocks" defines it: integers, predicates with arguments,
/// parentheses, `!`, and `&&` binding tighter than `||`.
struct ConditionEvaluator {
    var environment: [String: String]
    var version: String
    var features: Set<String>
    var enabledOptions: Set<String>
    /// Options `enabled()` knows about (true or false); others are an error.
    var knownOptions: Set<String>

    /// The predicates HAProxy documents, with their argument counts.
    static let predicates: [String: Int] = [
        "defined": 1, "feature": 1, "streq": 2, "strneq": 2, "strstr": 2,
        "version_atleast": 1, "version_before": 1, "enabled": 1,
    ]

    struct Failure: Error, Equatable {
        var message: String
    }

    func evaluate(_ text: String) -> Result<Bool, Failure> {
        var parser = Parser(bytes: Array(text.utf8), text: text, owner: self)
        do {
            parser.skipSpaces()
            if parser.atEnd { return .success(false) }
            let value = try parser.parseOr()
            parser.skipSpaces()
            if !parser.atEnd {
                throw Failure(message: "unexpected character '\(parser.currentCharacter)' at position \(parser.pos + 1) in conditional expression '\(text)'")
            }
            return .success(value)
        } catch let f as Failure {
            return .failure(f)
        } catch {
            return .failure(Failure(message: "\(error)"))
        }
    }

    fileprivate func predicate(_ name: String, _ args: [String]) throws -> Bool {
        guard let arity = Self.predicates[name] else {
            let hint = Suggestion.didYouMean(name, among: Self.predicates.keys.sorted())
            throw Failure(message: "unknown predicate '\(name)' in conditional expression\(hint)")
        }
        guard args.count == arity else {
            throw Failure(message: "predicate '\(name)' expects \(arity) argument\(arity == 1 ? "" : "s"), got \(args.count)")
        }
        switch name {
        case "defined": return environment[args[0]] != nil
        case "feature": return features.contains(args[0])
        case "streq": return args[0] == args[1]
        case "strneq": return args[0] != args[1]
        case "strstr": return args[1].isEmpty || args[0].contains(args[1])
        case "version_atleast", "version_before":
            guard let wanted = HAProxyVersion(args[0]) else {
                throw Failure(message: "unparsable version number '\(args[0])' in '\(name)'")
            }
            guard let current = HAProxyVersion(version) else {
                throw Failure(message: "unparsable current version '\(version)'")
            }
            return name == "version_atleast" ? !(current < wanted) : current < wanted
        case "enabled":
            let opt = args[0].uppercased()
            guard knownOptions.contains(opt) else {
                throw Failure(message: "unknown option '\(args[0])' in 'enabled()'; known options are \(knownOptions.sorted().joined(separator: ", "))")
            }
            return enabledOptions.contains(opt)
        default:
            return false
        }
    }

    private struct Parser {
        var bytes: [UInt8]
        var text: String
        var owner: ConditionEvaluator
        var pos = 0

        var atEnd: Bool { pos >= bytes.count }
        var currentCharacter: String { atEnd ? "" : String(decoding: [bytes[pos]], as: UTF8.self) }

        mutating func skipSpaces() {
            while pos < bytes.count, bytes[pos] == UInt8(ascii: " ") || bytes[pos] == UInt8(ascii: "\t") { pos += 1 }
        }
        mutating func consume(_ s: String) -> Bool {
            let b = Array(s.utf8)
            guard pos + b.count <= bytes.count, Array(bytes[pos..<pos + b.count]) == b else { return false }
            pos += b.count
            return true
        }

        mutating func parseOr() throws -> Bool {
            var value = try parseAnd()
            while true {
                skipSpaces()
                guard consume("||") else { return value }
                let rhs = try parseAnd()
                value = value || rhs
            }
        }
        mutating func parseAnd() throws -> Bool {
            var value = try parseUnary()
            while true {
                skipSpaces()
                guard consume("&&") else { return value }
                let rhs = try parseUnary()
                value = value && rhs
            }
        }
        mutating func parseUnary() throws -> Bool {
            skipSpaces()
            guard !atEnd else { throw Failure(message: "missing term at the end of conditional expression '\(text)'") }
            if consume("!") { return !(try parseUnary()) }
            if consume("(") {
                let v = try parseOr()
                skipSpaces()
                guard consume(")") else { throw Failure(message: "missing closing parenthesis in conditional expression '\(text)'") }
                return v
            }
            let start = pos
            while pos < bytes.count, isWordByte(bytes[pos]) { pos += 1 }
            guard pos > start else {
                throw Failure(message: "unexpected character '\(currentCharacter)' at position \(pos + 1) in conditional expression '\(text)'")
            }
            let word = String(decoding: bytes[start..<pos], as: UTF8.self)
            if word.allSatisfy({ $0.isASCII && $0.isNumber }) {
                return (Int(word) ?? 1) != 0
            }
            var args: [String] = []
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "(") {
                pos += 1
                args = try parseArguments(of: word)
            }
            return try owner.predicate(word, args)
        }
        /// Arguments up to the closing parenthesis, split on commas; quotes
        /// protect commas and parentheses, as in HAProxy's argument parser.
        mutating func parseArguments(of name: String) throws -> [String] {
            var args: [String] = []
            var current: [UInt8] = []
            var quote: UInt8? = nil
            while pos < bytes.count {
                let c = bytes[pos]
                pos += 1
                if let q = quote {
                    if c == q { quote = nil }
                    else if c == UInt8(ascii: "\\"), q == UInt8(ascii: "\""), pos < bytes.count { current.append(bytes[pos]); pos += 1 }
                    else { current.append(c) }
                    continue
                }
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = c
                case UInt8(ascii: "\\"):
                    if pos < bytes.count { current.append(bytes[pos]); pos += 1 }
                case UInt8(ascii: ","):
                    args.append(String(decoding: current, as: UTF8.self)); current = []
                case UInt8(ascii: ")"):
                    if !args.isEmpty || !current.isEmpty { args.append(String(decoding: current, as: UTF8.self)) }
                    return args
                default: current.append(c)
                }
            }
            throw Failure(message: "missing closing parenthesis after the arguments of '\(name)'")
        }
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
        }
    }
}
