/// Variables and sample converters as HAProxy 2.6 names them (manual 7.3.1,
/// 4.2 `set-var`): parsed and checked here once, so a worker only compiles
/// them to their run-time form.

/// The lifetime of a variable (manual 2.6, `set-var`): `proc` for the whole
/// process (in Fulcrum, like HAProxy, one store per process: each worker has
/// its own), `sess` the client connection, `txn` one HTTP transaction, `req`
/// and `res` the request and the response processing of that transaction.
public enum VariableScope: String, CaseIterable, Equatable, Hashable, Sendable {
    case proc, sess, txn, req, res
}

/// HAProxy 2.6's conditions of `set-var(NAME,COND...)`: the value is
/// stored only when each holds (vars.c, var_set).
public struct SetVariableConditions: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let ifExists = Self(rawValue: 1), ifNotExists = Self(rawValue: 2)
    public static let ifEmpty = Self(rawValue: 4), ifNotEmpty = Self(rawValue: 8)
    public static let ifSet = Self(rawValue: 16), ifNotSet = Self(rawValue: 32)
    public static let ifGreater = Self(rawValue: 64), ifLess = Self(rawValue: 128)
    static let names: [String: Self] = [
        "ifexists": .ifExists, "ifnotexists": .ifNotExists, "ifempty": .ifEmpty, "ifnotempty": .ifNotEmpty,
        "ifset": .ifSet, "ifnotset": .ifNotSet, "ifgt": .ifGreater, "iflt": .ifLess,
    ]
}

/// `SCOPE.NAME`, as in `set-var(txn.backend)` or `var(sess.user)`; a
/// variable being set may carry `set-var`'s conditions.
public struct VariableName: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var scope: VariableScope
    public var name: String
    public var conditions: SetVariableConditions = []
    public init(scope: VariableScope, name: String) { self.scope = scope; self.name = name }

    /// `SCOPE.NAME[,COND...]`, the target of `set-var` (action or converter).
    static func parseTarget(_ text: String) -> Result<VariableName, ParseFailure> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        switch parse(parts[0]) {
        case .failure(let f): return .failure(f)
        case .success(var v):
            for c in parts.dropFirst() {
                guard let flag = SetVariableConditions.names[c] else { return .failure(ParseFailure("unknown condition \"\(c)\"")) }
                v.conditions.insert(flag)
            }
            return .success(v)
        }
    }

    /// Parses `SCOPE.NAME`; the failure is worded as HAProxy's vars_check_arg.
    static func parse(_ text: String) -> Result<VariableName, ParseFailure> {
        guard let dot = text.firstIndex(of: "."), let scope = VariableScope(rawValue: String(text[..<dot])) else {
            return .failure(ParseFailure("invalid variable name '\(text)'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'"))
        }
        let name = String(text[text.index(after: dot)...])
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) else {
            return .failure(ParseFailure("invalid variable name '\(text)'. Only alphanumeric characters, '_' and '.' are allowed after the scope"))
        }
        return .success(VariableName(scope: scope, name: name))
    }

    /// `SCOPE.NAME`; nil when invalid (the parser reports why).
    public init?(_ text: String) {
        guard case .success(let v) = VariableName.parse(text) else { return nil }
        self = v
    }

    public var description: String { "\(scope.rawValue).\(name)" }
}

/// An integer argument that may name a variable instead (`add(txn.n)`).
public enum IntegerOperand: Equatable, Sendable {
    case constant(Int64)
    case variable(VariableName)
}

/// A converter with its arguments checked (`,lower`, `,regsub(^/a,/b,g)`,
/// `,field(2,_)`, `,add(txn.n)`...). FulcrumCore compiles each to its
/// run-time form (regexes built, variables resolved to slots).
public enum SampleConverter: Equatable, Sendable {
    case lower, upper, hex, base64, b64dec, length
    /// `url_dec([in_form])`: `+` becomes a space when `in_form` is non-zero.
    case urlDec(inForm: Bool)
    /// `json([ascii|utf8|utf8s|utf8p|utf8ps])`.
    case json(JSONInput)
    case regsub(regex: String, replacement: String, global: Bool, ignoreCase: Bool)
    /// `field(index,delimiters[,count])`, `word(...)`: HAProxy's 1-based
    /// index (negative from the end) and count (0: every remaining one).
    case field(index: Int, delimiters: [UInt8], count: Int)
    case word(index: Int, delimiters: [UInt8], count: Int)
    /// `bytes(offset[,length])`.
    case bytes(offset: Int64, length: Int64?)
    case hash(HashFunction, avalanche: Bool)
    case xxh64(seed: Int64)
    /// `ipmask(mask4[,mask6])` as prefix lengths.
    case ipmask(v4: Int, v6: Int)
    /// `concat([start[,var[,end]]])`.
    case concat(prefix: [UInt8], variable: VariableName?, suffix: [UInt8])
    case strcmp(VariableName)
    case arithmetic(ArithmeticOperator, IntegerOperand)
    case neg, not, bool, odd, even, cpl
    case setVar(VariableName)
    case unsetVar(VariableName)
    /// `map_<match>[_<output>](FILE[,DEFAULT])`: a lookup in a pattern
    /// file (ModelPatterns.swift), registered as HAProxy numbers them.
    case map(MapConverter)
    /// `in_table(T)`, `table_X([IDX,]T)`: a lookup in a stick table (StickTableConverter.swift).
    case stickTable(StickTableConverter)

    public enum JSONInput: String, Equatable, Sendable { case ascii, utf8, utf8s, utf8p, utf8ps }
    public enum ArithmeticOperator: String, Equatable, Sendable { case add, sub, mul, div, mod, and, or, xor }

    /// The converters as HAProxy's sample_conv_kws name them, for messages.
    public static let names: [String] = [
        "lower", "upper", "hex", "base64", "b64dec", "length", "url_dec", "json", "regsub", "field", "word", "bytes",
        "sdbm", "djb2", "wt6", "crc32", "xxh64", "ipmask", "concat", "strcmp", "add", "sub", "mul", "div", "mod",
        "and", "or", "xor", "neg", "not", "bool", "odd", "even", "cpl", "set-var", "unset-var",
    ]

    /// Whether the converter reads its input as binary (HAProxy's cast to
    /// bin: an integer 8 bytes, an address 4 or 16) rather than as text.
    public var readsBinary: Bool {
        switch self {
        case .hex, .base64, .bytes, .hash, .xxh64: return true
        default: return false
        }
    }
}
