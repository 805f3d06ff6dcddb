/// An IPv6 address as two 64-bit halves in host order (the 128-bit number
/// the address is): a plain value, no heap, so a sample or a connection
/// record carries it for free. Text follows inet_ntop (RFC 5952 compression,
/// IPv4-mapped and -compatible forms with a dotted tail), as HAProxy prints it.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Reads 16 bytes in network order (a sockaddr_in6's sin6_addr, a packet).
    @inlinable public init(networkBytes bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
    }

    /// 16 bytes in network order; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self = bytes.withUnsafeBytes { IPv6Address(networkBytes: $0) }
    }

    /// ::ffff:a.b.c.d, the form an IPv4 peer has on a dual-stack socket.
    @inlinable public init(mapping v4: IPv4Address) { high = 0; low = 0xFFFF_0000_0000 | UInt64(v4.value) }

    /// The IPv4 address of an IPv4-mapped one (::ffff:a.b.c.d), else nil.
    @inlinable public var ipv4Mapped: IPv4Address? {
        high == 0 && low >> 32 == 0xFFFF ? IPv4Address(UInt32(truncatingIfNeeded: low)) : nil
    }

    /// The address as 16 bytes in network order (configuration and tests; allocates).
    public var bytes: [UInt8] { (0..<16).map { word($0 / 2) >> (8 - 8 * UInt16($0 % 2)) }.map { UInt8(truncatingIfNeeded: $0) } }

    /// Group `i` (0...7) of the eight 16-bit groups.
    @inlinable public func word(_ i: Int) -> UInt16 {
        let half = i < 4 ? high : low
        return UInt16(truncatingIfNeeded: half >> UInt64(48 - 16 * (i % 4)))
    }

    /// Eight groups of one to four hex digits, "::" at most once and for at
    /// least one group, a dotted-quad tail allowed.
    public init?<S: StringProtocol>(_ text: S) { self.init(ascii: text.utf8) }

    /// The same, from ASCII bytes (a sample, a header value).
    public init?<C: Collection>(ascii bytes: C) where C.Element == UInt8 {
        guard let v = bytes.withContiguousBytes(IPv6Address.parse) else { return nil }
        self = v
    }

    @usableFromInline
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> IPv6Address? {
        let n = b.count
        var head = SIMD8<UInt16>(), tail = SIMD8<UInt16>()
        var heads = 0, tails = 0, gap = false, i = 0
        func push(_ w: UInt16) -> Bool {
            if gap { guard tails < 8 else { return false }; tail[tails] = w; tails += 1 }
            else { guard heads < 8 else { return false }; head[heads] = w; heads += 1 }
            return true
        }
        guard n >= 2, b.contains(ASCII.colon) else { return nil }
        if b[0] == ASCII.colon {
            guard b[1] == ASCII.colon else { return nil }
            gap = true; i = 2
        }
        while i < n {
            let start = i
            var w: UInt16 = 0
            while i < n, let d = ASCII.hexValue(b[i]), i - start < 4 { w = w << 4 | UInt16(d); i += 1 }
            if i < n, b[i] == 0x2E {
                // A dotted quad ends the address.
                guard let v4 = IPv4Address.parse(UnsafeBufferPointer(rebasing: b[start..<n])),
                      push(UInt16(v4.value >> 16)), push(UInt16(v4.value & 0xffff)) else { return nil }
                i = n
                break
            }
            guard i > start, push(w) else { return nil }
            if i == n { break }
            guard b[i] == ASCII.colon else { return nil }
            i += 1
            guard i < n else { return nil }  // a lone trailing ':'
            if b[i] == ASCII.colon {
                guard !gap else { return nil }
                gap = true; i += 1
            }
        }
        let total = heads + tails
        guard gap ? total <= 7 : total == 8 else { return nil }
        var words = SIMD8<UInt16>()
        for k in 0..<heads { words[k] = head[k] }
        for k in 0..<tails { words[8 - tails + k] = tail[k] }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(words[k]); lo = lo << 16 | UInt64(words[k + 4]) }
        return IPv6Address(high: hi, low: lo)
    }

    /// Longest text: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
    public static let maximumTextLength = 45

    /// Writes the text at `out` (at least `maximumTextLength` bytes); returns the count.
    public func writeText(to out: UnsafeMutablePointer<UInt8>) -> Int {
        // Longest run of two or more zero groups, the first on a tie, becomes "::".
        var bestStart = -1, bestLength = 0, k = 0
        while k < 8 {
            guard word(k) == 0 else { k += 1; continue }
            var j = k
            while j < 8 && word(j) == 0 { j += 1 }
            if j - k > bestLength && j - k >= 2 { bestStart = k; bestLength = j - k }
            k = j
        }
        // inet_ntop writes ::a.b.c.d and ::ffff:a.b.c.d with a dotted tail.
        let dottedTail = bestStart == 0 && (bestLength == 6 || (bestLength == 5 && word(5) == 0xffff))
        var n = 0
        for i in 0..<8 {
            if bestStart >= 0 && i >= bestStart && i < bestStart + bestLength {
                if i == bestStart { out[n] = ASCII.colon; n += 1 }
                continue
            }
            if i != 0 { out[n] = ASCII.colon; n += 1 }
            if i == 6 && dottedTail {
                n += IPv4Address(UInt32(truncatingIfNeeded: low)).writeText(to: out + n)
                return n
            }
            n += IPv6Address.writeHex(word(i), to: out + n)
        }
        if bestStart >= 0 && bestStart + bestLength == 8 { out[n] = ASCII.colon; n += 1 }
        return n
    }

    @usableFromInline
    static func writeHex(_ w: UInt16, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        for shift in stride(from: 12, through: 0, by: -4) {
            let d = UInt8(truncatingIfNeeded: w >> UInt16(shift) & 0xf)
            if d == 0 && n == 0 && shift != 0 { continue }
            out[n] = d < 10 ? 0x30 + d : 0x57 + d
            n += 1
        }
        return n
    }

    public var description: String {
        String(unsafeUninitializedCapacity: IPv6Address.maximumTextLength) { writeText(to: $0.baseAddress!) }
    }
}
