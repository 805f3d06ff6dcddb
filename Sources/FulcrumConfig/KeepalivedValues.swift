/// Value syntax of keepalived.conf: IP literals, decimal seconds, booleans.
enum KeepalivedValues {
    /// A strict dotted quad (four decimal parts, 0...255).
    static func ipv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = UInt32(part), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    /// An IPv6 literal: eight groups, `::` once, an IPv4 tail allowed.
    static func ipv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        func groups(_ s: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, part) in parts.enumerated() {
                if allowIPv4Tail, i == parts.count - 1, part.contains("."), let v4 = ipv4(part) {
                    out.append(UInt16(v4 >> 16)); out.append(UInt16(v4 & 0xffff))
                    continue
                }
                guard !part.isEmpty, part.count <= 4, let g = UInt16(part, radix: 16) else { return nil }
                out.append(g)
            }
            return out
        }
        var words: [UInt16]
        let chars = Array(text)
        if let at = chars.indices.dropLast().first(where: { chars[$0] == ":" && chars[$0 + 1] == ":" }) {
            let head = Substring(String(chars[..<at])), tail = Substring(String(chars[(at + 2)...]))
            guard !tail.hasPrefix(":"), tail.isEmpty || !tail.split(separator: ":", omittingEmptySubsequences: false).contains(""), let h = groups(head, allowIPv4Tail: false),
                  let t = groups(tail, allowIPv4Tail: true), h.count + t.count <= 7 else { return nil }
            words = h + Array(repeating: 0, count: 8 - h.count - t.count) + t
        } else {
            guard let all = groups(text, allowIPv4Tail: true), all.count == 8 else { return nil }
            words = all
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    static func address(_ text: String) -> VRRPIPAddress? {
        if let v4 = ipv4(text[...]) { return .v4(v4) }
        if let v6 = ipv6(text[...]) { return .v6(v6) }
        return nil
    }

    /// `IP[/PREFIX]`.
    static func addressWithPrefix(_ text: String) -> (VRRPIPAddress, Int?)? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = address(String(parts[0])) else { return nil }
        guard parts.count == 2 else { return (address, nil) }
        let limit = address.isIPv4 ? 32 : 128
        guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(parts[1]), p <= limit else { return nil }
        return (address, p)
    }

    static func unsigned(_ text: String, in range: ClosedRange<Int>) -> Int? {
        guard !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text),
              range.contains(n) else { return nil }
        return n
    }

    static func signed(_ text: String, in range: ClosedRange<Int>) -> Int? {
        if text.hasPrefix("-") { return unsigned(String(text.dropFirst()), in: 0...Int.max).map { -$0 }.flatMap { range.contains($0) ? $0 : nil } }
        return unsigned(text.hasPrefix("+") ? String(text.dropFirst()) : text, in: range)
    }

    /// Decimal seconds ("1", "0.5", "2.25") in microseconds, at most six decimals.
    static func microseconds(_ text: String) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = unsigned(String(parts[0]), in: 0...1_000_000) else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fraction = Int(digits + String(repeating: "0", count: 6 - digits.count))!
        }
        return whole * 1_000_000 + fraction
    }

    /// keepalived's check_true_false: true/on/yes, false/off/no.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "on", "yes": return true
        case "false", "off", "no": return false
        default: return nil
        }
    }

    /// `scope` names as iproute2 and keepalived know them, or a number.
    static func scope(_ text: String) -> UInt8? {
        switch text {
        case "global": return 0
        case "site": return 200
        case "link": return 253
        case "host": return 254
        case "nowhere": return 255
        default: return unsigned(text, in: 0...255).map(UInt8.init)
        }
    }
}
