import FulcrumBytes
import FulcrumLog

/// Reads a converter call (`regsub(^/a,/b,g)`) into a `SampleConverter`,
/// with HAProxy 2.6's messages for unknown converters and bad arguments
/// (what follows "failed to parse sample expression <...> : ").
enum SampleConverterParsing {
    static func parse(_ call: LogSampleCall) -> Result<SampleConverter, ParseFailure> {
        let name = call.name, args = call.arguments
        func fail(_ m: String) -> Result<SampleConverter, ParseFailure> { .failure(ParseFailure(m)) }
        func badType(_ i: Int, _ type: String) -> Result<SampleConverter, ParseFailure> {
            fail("invalid arg \(i + 1) in converter '\(name)' : failed to parse '\(args[i])' as type '\(type)' at position \(i + 1)")
        }
        func missing(_ got: Int, _ need: Int, _ type: String) -> Result<SampleConverter, ParseFailure> {
            fail("invalid arg \(got + 1) in converter '\(name)' : missing arguments (got \(got)/\(need)), type '\(type)' expected")
        }
        func most(_ n: Int) -> ParseFailure? {
            guard args.count > n else { return nil }
            return n == 0
                ? ParseFailure("invalid arg 1 in converter '\(name)' : expected ')' before '\(args.joined(separator: ","))'")
                : ParseFailure("invalid arg \(n + 1) in converter '\(name)' : end of arguments expected at position \(n + 1), but got '\(args[n...].joined(separator: ","))'")
        }
        func int(_ i: Int) -> Int64? { Int64(args[i].trimmingCharacters(in: " ")) }
        func variable(_ i: Int) -> Result<VariableName, ParseFailure> { VariableName.parse(args[i]) }

        switch name {
        case "lower", "upper", "hex", "base64", "b64dec", "length", "neg", "not", "bool", "odd", "even", "cpl":
            if let f = most(0) { return .failure(f) }
            let simple: [String: SampleConverter] = [
                "lower": .lower, "upper": .upper, "hex": .hex, "base64": .base64, "b64dec": .b64dec, "length": .length,
                "neg": .neg, "not": .not, "bool": .bool, "odd": .odd, "even": .even, "cpl": .cpl,
            ]
            return .success(simple[name]!)
        case "url_dec":
            if let f = most(1) { return .failure(f) }
            guard let first = args.first, !first.isEmpty else { return .success(.urlDec(inForm: false)) }
            guard let v = int(0) else { return badType(0, "integer") }
            return .success(.urlDec(inForm: v != 0))
        case "json":
            if let f = most(1) { return .failure(f) }
            guard let first = args.first, !first.isEmpty else { return .success(.json(.ascii)) }
            guard let mode = SampleConverter.JSONInput(rawValue: first) else {
                return fail("invalid args in converter 'json' : Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'")
            }
            return .success(.json(mode))
        case "regsub":
            guard args.count >= 2 else { return missing(args.count, 2, "string") }
            if let f = most(3) { return .failure(f) }
            if let error = ValueParsers.regexError(args[0]) {
                return fail("invalid args in converter 'regsub' : regex '\(args[0])' is invalid (\(error))")
            }
            var global = false, ignoreCase = false
            for c in args.count == 3 ? args[2] : "" {
                switch c {
                case "g": global = true
                case "i": ignoreCase = true
                default: return fail("invalid args in converter 'regsub' : invalid regex flag '\(c)', only 'i' and 'g' are supported")
                }
            }
            return .success(.regsub(regex: args[0], replacement: args[1], global: global, ignoreCase: ignoreCase))
        case "field", "word":
            guard args.count >= 2 else { return missing(args.count, 2, args.isEmpty ? "integer" : "string") }
            if let f = most(3) { return .failure(f) }
            guard let index = int(0) else { return badType(0, "integer") }
            guard index != 0 else { return fail("invalid args in converter '\(name)' : Unexpected value 0 for index") }
            guard !args[1].isEmpty else { return fail("invalid args in converter '\(name)' : Empty separators list") }
            var count: Int64 = 1
            if args.count == 3 {
                guard let c = int(2) else { return badType(2, "integer") }
                guard c >= 0 else { return fail("invalid args in converter '\(name)' : Unexpected value \(c) for count") }
                count = c
            }
            let delimiters = Array(args[1].utf8)
            return .success(name == "field" ? .field(index: Int(index), delimiters: delimiters, count: Int(count))
                                            : .word(index: Int(index), delimiters: delimiters, count: Int(count)))
        case "bytes":
            guard args.count >= 1 else { return missing(0, 1, "integer") }
            if let f = most(2) { return .failure(f) }
            guard let offset = int(0), offset >= 0 else { return badType(0, "integer") }
            var length: Int64? = nil
            if args.count == 2 {
                guard let l = int(1), l >= 0 else { return badType(1, "integer") }
                length = l
            }
            return .success(.bytes(offset: offset, length: length))
        case "sdbm", "djb2", "wt6", "crc32":
            if let f = most(1) { return .failure(f) }
            var avalanche = false
            if let first = args.first, !first.isEmpty {
                guard let v = int(0) else { return badType(0, "integer") }
                avalanche = v != 0
            }
            return .success(.hash(HashFunction(rawValue: name)!, avalanche: avalanche))
        case "xxh64":
            if let f = most(1) { return .failure(f) }
            guard let first = args.first, !first.isEmpty else { return .success(.xxh64(seed: 0)) }
            guard let v = int(0) else { return badType(0, "integer") }
            return .success(.xxh64(seed: v))
        case "ipmask":
            guard args.count >= 1 else { return missing(0, 1, "IPv4 mask") }
            if let f = most(2) { return .failure(f) }
            guard let v4 = mask(args[0], bits: 32) else { return badType(0, "IPv4 mask") }
            var v6 = 128
            if args.count == 2 {
                guard let m = mask(args[1], bits: 128) else { return badType(1, "IPv6 mask") }
                v6 = m
            }
            return .success(.ipmask(v4: v4, v6: v6))
        case "concat":
            if let f = most(3) { return .failure(f) }
            var v: VariableName? = nil
            if args.count >= 2, !args[1].isEmpty {
                switch variable(1) { case .failure(let f): return .failure(f); case .success(let n): v = n }
            }
            return .success(.concat(prefix: Array((args.first ?? "").utf8), variable: v, suffix: Array((args.count == 3 ? args[2] : "").utf8)))
        case "set-var":
            guard args.count >= 1 else { return missing(0, 1, "string") }
            switch VariableName.parseTarget(args.joined(separator: ",")) {
            case .failure(let f): return fail("invalid args in converter 'set-var' : \(f.message)")
            case .success(let n): return .success(.setVar(n))
            }
        case "strcmp", "unset-var":
            guard args.count >= 1 else { return missing(0, 1, "string") }
            if let f = most(1) { return .failure(f) }
            switch variable(0) {
            case .failure(let f): return .failure(f)
            case .success(let n):
                return .success(name == "strcmp" ? .strcmp(n) : name == "set-var" ? .setVar(n) : .unsetVar(n))
            }
        case "add", "sub", "mul", "div", "mod", "and", "or", "xor":
            guard args.count == 1, !args[0].isEmpty else {
                return args.count > 1 ? .failure(most(1)!) : missing(0, 1, "string")
            }
            let op = SampleConverter.ArithmeticOperator(rawValue: name)!
            if let v = int(0) { return .success(.arithmetic(op, .constant(v))) }
            guard case .success(let n) = variable(0) else {
                return fail("invalid args in converter '\(name)' : expects an integer or a variable name")
            }
            return .success(.arithmetic(op, .variable(n)))
        default:
            if let (method, output) = MapConverter.table[name] { return map(call, method, output) }
            if let table = StickTableConverter.parse(call) { return table }
            return fail("unknown converter '\(name)'")
        }
    }

    /// A map converter: its file and, optionally, a default of its output
    /// type. The caller registers the file (ParseSession.registerMaps).
    static func map(_ c: LogSampleCall, _ method: MatchMethod, _ output: MapOutput) -> Result<SampleConverter, ParseFailure> {
        guard (1...2).contains(c.arguments.count), let file = c.arguments.first, !file.isEmpty else {
            return .failure(ParseFailure("invalid args in converter '\(c.name)' : expects <file>[,<default>] as arguments"))
        }
        let fallback = c.arguments.count == 2 ? c.arguments[1] : nil
        if let fallback {
            let valid: Bool
            switch output {
            case .str: valid = true
            case .int: valid = Int64(fallback) != nil
            case .ip: valid = IPAddress(fallback) != nil
            }
            guard valid else {
                let what = output == .int ? "an integer" : "an IPv4 or IPv6 address"
                return .failure(ParseFailure("invalid args in converter '\(c.name)' : the default value '\(fallback)' is not \(what)"))
            }
        }
        return .success(.map(MapConverter(name: c.name, method: method, output: output, file: file, defaultValue: fallback)))
    }

    /// A mask as a prefix length: `24` or `255.255.255.0` (IPv4), `64` or an
    /// IPv6 mask; nil when not contiguous or out of range.
    static func mask(_ text: String, bits: Int) -> Int? {
        if let n = Int(text) { return (0...bits).contains(n) ? n : nil }
        guard let a = IPAddress(ascii: Array(text.utf8)[...]) else { return nil }
        var ones = 0, seenZero = false
        func take(_ byte: UInt8) -> Bool {
            for shift in stride(from: 7, through: 0, by: -1) {
                if byte >> UInt8(shift) & 1 == 1 { if seenZero { return false }; ones += 1 } else { seenZero = true }
            }
            return true
        }
        switch a {
        case .v4(let v) where bits == 32:
            for s in stride(from: 24, through: 0, by: -8) where !take(UInt8(truncatingIfNeeded: v.value >> UInt32(s))) { return nil }
        case .v6(let v) where bits == 128:
            for i in 0..<8 {
                let w = v.word(i)
                if !take(UInt8(w >> 8)) || !take(UInt8(w & 0xff)) { return nil }
            }
        default: return nil
        }
        return ones
    }
}

extension SampleConverter {
    /// A converter call as a log line's format holds it; throws HAProxy's
    /// message for an unknown converter or bad arguments.
    public init(_ call: LogSampleCall) throws {
        switch SampleConverterParsing.parse(call) {
        case .success(let c): self = c
        case .failure(let f): throw LogFormatError(f.message)
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
