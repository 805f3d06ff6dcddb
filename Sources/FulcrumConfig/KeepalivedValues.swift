import FulcrumBytes

/// Value syntax of keepalived.conf: addresses, decimal seconds, booleans.
enum KeepalivedValues {
    static func address(_ text: String) -> IPAddress? { IPAddress(text) }

    /// `IP[/PREFIX]`.
    static func addressWithPrefix(_ text: String) -> (IPAddress, Int?)? {
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

    /// A route protocol as /etc/iproute2/rt_protos names it (keepalived's own is 18), or a number.
    static func routeProtocol(_ text: String) -> UInt8? {
        let names: [String: UInt8] = ["unspec": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4,
                                      "ra": 9, "dhcp": 16, "keepalived": 18, "babel": 42, "bgp": 186,
                                      "isis": 187, "ospf": 188, "rip": 189, "eigrp": 192]
        return names[text] ?? unsigned(text, in: 0...255).map(UInt8.init)
    }

    /// 0...255 written in decimal or as 0xNN (tos, dsfield).
    static func byte(_ text: String) -> UInt8? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = text.dropFirst(2)
            guard !digits.isEmpty, digits.count <= 2, let n = UInt8(digits, radix: 16) else { return nil }
            return n
        }
        return unsigned(text, in: 0...255).map(UInt8.init)
    }

    /// 0...2^32-1 written in decimal or as 0xN (fwmark and its mask).
    static func unsigned32Any(_ text: String) -> UInt32? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt32(text.dropFirst(2), radix: 16) }
        return unsigned(text, in: 0...Int(UInt32.max)).map(UInt32.init)
    }
}
