import FulcrumBytes

/// HTTP dates (RFC 7231 7.1.1.1: IMF-fixdate, RFC 850, asctime) as unix
/// seconds, as HAProxy's parse_http_date reads them; pure.
public enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func parse(_ v: ArraySlice<UInt8>) -> Int64? {
        let s = Array(v)
        guard let comma = s.firstIndex(of: UInt8(ascii: ",")) else { return asctime(s) }
        var rest = s[(comma + 1)...].drop(while: { $0 == 32 })
        // IMF-fixdate: "06 Nov 1994 08:49:37 GMT"; RFC 850: "06-Nov-94 08:49:37 GMT".
        let sep: UInt8 = rest.count > 2 && rest[rest.startIndex + 2] == UInt8(ascii: "-") ? UInt8(ascii: "-") : 32
        guard let day = number(&rest, 2), rest.popFirst() == sep, let month = month(&rest), rest.popFirst() == sep else { return nil }
        let digits = rest.prefix(while: ASCII.isDigit).count
        guard var year = number(&rest, digits), digits == 4 || (sep != 32 && digits == 2) else { return nil }
        if digits == 2 { year += year < 70 ? 2000 : 1900 }
        guard rest.popFirst() == 32, let t = time(&rest), rest.elementsEqual(" GMT".utf8) else { return nil }
        return seconds(year: year, month: month, day: day, time: t)
    }

    /// "Sun Nov  6 08:49:37 1994"
    static func asctime(_ s: [UInt8]) -> Int64? {
        guard s.count == 24 else { return nil }
        var rest = s[4...]
        guard let month = month(&rest), rest.popFirst() == 32 else { return nil }
        if rest.first == 32 { rest = rest.dropFirst() }
        guard let day = number(&rest, rest.prefix(while: ASCII.isDigit).count), rest.popFirst() == 32,
              let t = time(&rest), rest.popFirst() == 32, let year = number(&rest, 4), rest.isEmpty else { return nil }
        return seconds(year: year, month: month, day: day, time: t)
    }

    static func number(_ s: inout ArraySlice<UInt8>, _ n: Int) -> Int? {
        guard n > 0, s.count >= n else { return nil }
        var v = 0
        for _ in 0..<n {
            guard let c = s.popFirst(), ASCII.isDigit(c) else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    static func month(_ s: inout ArraySlice<UInt8>) -> Int? {
        guard s.count >= 3 else { return nil }
        let name = String(decoding: s.prefix(3), as: UTF8.self)
        guard let m = months.firstIndex(of: name) else { return nil }
        s = s.dropFirst(3)
        return m + 1
    }

    static func time(_ s: inout ArraySlice<UInt8>) -> Int? {
        guard let h = number(&s, 2), s.popFirst() == UInt8(ascii: ":"), let m = number(&s, 2),
              s.popFirst() == UInt8(ascii: ":"), let sec = number(&s, 2), h < 24, m < 60, sec < 61 else { return nil }
        return h * 3600 + m * 60 + sec
    }

    /// Days from civil (Howard Hinnant's algorithm).
    static func seconds(year: Int, month: Int, day: Int, time: Int) -> Int64? {
        guard (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Int64(days) * 86400 + Int64(time)
    }

    /// Leading decimal digits (nil when none).
    public static func decimal(_ v: ArraySlice<UInt8>) -> Int? {
        let d = v.prefix(while: ASCII.isDigit)
        guard !d.isEmpty, d.count == v.count else { return nil }
        var n = 0
        for c in d.prefix(18) { n = n * 10 + Int(c - 48) }
        return n
    }
}
