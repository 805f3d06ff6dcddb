import FulcrumBytes

/// Parsers for the scalar values of HAProxy keywords. Each returns either the
/// value or a message that the caller places at the offending word.
enum ValueParsers {
    /// The largest timer HAProxy accepts: 2^31-1 ms, about 24.8 days.
    static let maxTimerMilliseconds = 2_147_483_647

    /// A decimal integer made only of digits (HAProxy rejects signs and units here).
    static func integer(_ text: String, for keyword: String) -> Result<Int, ParseFailure> {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(text) else {
            return .failure(ParseFailure("'\(keyword)' expects an integer argument (got '\(text)')"))
        }
        return .success(v)
    }

    /// A signed decimal integer (`option redispatch -1`).
    static func signedInteger(_ text: String, for keyword: String) -> Result<Int, ParseFailure> {
        var body = Substring(text)
        var sign = 1
        if body.hasPrefix("-") { sign = -1; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        switch integer(String(body), for: keyword) {
        case .success(let v): return .success(sign * v)
        case .failure: return .failure(ParseFailure("'\(keyword)' expects an integer argument (got '\(text)')"))
        }
    }

    /// A time in HAProxy's format (section 2.5): a number and an optional unit
    /// among us, ms, s, m, h, d; a bare number is milliseconds. Microseconds
    /// round up to the next millisecond, as HAProxy does.
    static func milliseconds(_ text: String, for keyword: String) -> Result<Int, ParseFailure> {
        let bytes = Array(text.utf8)
        var i = 0
        var value = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            value = value &* 10 &+ Int(bytes[i] - 48)
            if value > 1 << 50 { return .failure(overflow(keyword)) }
            i += 1
        }
        guard i > 0 else {
            return .failure(ParseFailure("'\(keyword)' expects a time value such as 5s or 500ms (got '\(text)')"))
        }
        let unit = String(decoding: bytes[i...], as: UTF8.self)
        let ms: Int
        switch unit {
        case "", "ms": ms = value
        case "us": ms = (value + 999) / 1000
        case "s": ms = value * 1000
        case "m": ms = value * 60_000
        case "h": ms = value * 3_600_000
        case "d": ms = value * 86_400_000
        default:
            return .failure(ParseFailure("unexpected character '\(unit.prefix(1))' in '\(keyword)': valid time units are us, ms, s, m, h, d"))
        }
        guard ms <= maxTimerMilliseconds else { return .failure(overflow(keyword)) }
        return .success(ms)
    }

    private static func overflow(_ keyword: String) -> ParseFailure {
        ParseFailure("timer overflow in '\(keyword)' (maximum value is 2147483647 ms, about 24.8 days)")
    }

    /// A TCP port, 1...65535.
    static func port(_ text: String, for keyword: String) -> Result<Int, ParseFailure> {
        guard case .success(let p) = integer(text, for: keyword) else {
            return .failure(ParseFailure("invalid port '\(text)' in '\(keyword)'"))
        }
        guard (1...65535).contains(p) else {
            return .failure(ParseFailure("port \(p) in '\(keyword)' is out of range 1-65535"))
        }
        return .success(p)
    }

    /// Splits `host:port`, `[v6]:port`, `v6::port` (last colon), `host`.
    /// Returns the host text and the port text (nil when absent).
    static func splitHostPort(_ text: String) -> Result<(host: String, port: String?), ParseFailure> {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(ParseFailure("missing ']' in address '\(text)'"))
            }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return .success((host, nil)) }
            guard rest.hasPrefix(":") else {
                return .failure(ParseFailure("unexpected '\(rest)' after ']' in address '\(text)'"))
            }
            return .success((host, String(rest.dropFirst())))
        }
        guard let colon = text.lastIndex(of: ":") else { return .success((text, nil)) }
        return .success((String(text[..<colon]), String(text[text.index(after: colon)...])))
    }

    /// Hexadecimal digits in pairs, each pair one byte (`tcp-check send-binary`).
    static func hexBytes(_ text: String) -> Result<[UInt8], ParseFailure> {
        let digits = Array(text.utf8)
        guard !digits.isEmpty else { return .failure(ParseFailure("empty binary string")) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for (i, d) in digits.enumerated() {
            guard let v = ASCII.hexValue(d) else {
                let found = String(decoding: [d], as: UTF8.self)
                return .failure(ParseFailure("'\(text)' is not a valid binary string: a hexadecimal digit is expected (found '\(found)')"))
            }
            if i % 2 == 0 { bytes.append(v << 4) } else { bytes[bytes.count - 1] |= v }
        }
        guard digits.count % 2 == 0 else {
            return .failure(ParseFailure("'\(text)' is not a valid binary string: an even number of hexadecimal digits is expected"))
        }
        return .success(bytes)
    }

    /// HTTP status codes and ranges, comma-separated: "200", "200,301-302".
    static func statusRanges(_ text: String) -> Result<[ClosedRange<Int>], ParseFailure> {
        let failure = ParseFailure("invalid status codes '\(text)': expected codes or ranges such as 200,301-302")
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2,
                  case .success(let low) = integer(String(bounds[0]), for: ""),
                  case .success(let high) = integer(String(bounds.last!), for: ""),
                  low <= high else { return .failure(failure) }
            ranges.append(low...high)
        }
        return .success(ranges)
    }

    /// Permission bits in octal ("660", "0600"), at most 0o7777.
    static func octalMode(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.count <= 5 else { return nil }
        var value: UInt32 = 0
        for b in text.utf8 {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + UInt32(b - UInt8(ascii: "0"))
        }
        return value <= 0o7777 ? value : nil
    }

    /// Why a regular expression does not compile, or nil when it does.
    static func regexError(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// A numeric IPv4 or IPv6 address (no host name, no port).
    static func isIPLiteral(_ text: String) -> Bool {
        IPAddress(text) != nil
    }

    /// Proxy and server names: letters, digits, '-', '_', '.', ':'.
    static func invalidNameCharacter(_ name: String) -> Character? {
        name.first { !($0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0))) }
    }
}

/// A value that did not parse; the caller knows where it was.
struct ParseFailure: Error, Equatable, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
