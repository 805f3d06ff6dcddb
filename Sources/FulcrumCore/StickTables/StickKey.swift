import FulcrumBytes
import FulcrumConfig

/// A stick table key as an entry stores it: the sample cast to the table's
/// type (HAProxy's stktable_fetch_key) in the key's fixed number of bytes,
/// zero-padded, and its text as `show table` writes it.
public enum StickKey {
    /// Writes `sample` as a key of `type` into `out` (`type.keySize` bytes);
    /// false when the sample has no such cast (an IPv6 address for an `ip`
    /// table, text that is no number for an `integer` one).
    @inlinable
    public static func encode(_ sample: Sample, _ type: StickKeyType, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let size = type.keySize
        guard out.count >= size else { return false }
        out.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        switch type {
        case .ip:
            guard let a = sample.address else { return false }
            let v4: IPv4Address
            switch a {
            case .v4(let x): v4 = x
            case .v6(let x): guard let m = x.ipv4Mapped else { return false }; v4 = m
            }
            out.storeBytes(of: v4.networkOrder, as: UInt32.self)
        case .ipv6:
            guard let a = sample.address else { return false }
            let v6 = a.mappedIPv6
            out.storeBytes(of: v6.high.bigEndian, as: UInt64.self)
            out.storeBytes(of: v6.low.bigEndian, toByteOffset: 8, as: UInt64.self)
        case .integer:
            guard let i = sample.integer else { return false }
            out.storeBytes(of: UInt32(truncatingIfNeeded: i), as: UInt32.self)
        case .string(let n), .binary(let n):
            // A string keeps room for its terminating NUL.
            let room: Int
            if case .string = type { room = n - 1 } else { room = n }
            sample.withBytes { b in
                let c = min(b.count, room)
                if c > 0 { out.baseAddress!.copyMemory(from: b.baseAddress!, byteCount: c) }
            }
        }
        return true
    }

    /// The key from its text (the CLI's `key K`); nil when it does not parse.
    public static func parse(_ text: String, _ type: StickKeyType) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: type.keySize)
        let sample: Sample
        switch type {
        case .ip:
            guard let a = IPv4Address(text) else { return nil }
            sample = .address(.v4(a))
        case .ipv6:
            guard let a = IPv6Address(text) else { return nil }
            sample = .address(.v6(a))
        case .integer:
            guard let v = UInt32(text) else { return nil }
            sample = .integer(Int64(v))
        case .string:
            sample = .bytes(Array(text.utf8)[...])
        case .binary:
            guard text.utf8.count % 2 == 0, let bytes = hexBytes(text) else { return nil }
            sample = .bytes(bytes[...])
        }
        let ok = out.withUnsafeMutableBytes { encode(sample, type, into: $0) }
        return ok ? out : nil
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 1 < u.count {
            guard let h = ASCII.hexValue(u[i]), let l = ASCII.hexValue(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    static let hex = Array("0123456789ABCDEF".utf8)

    /// `key=` text as HAProxy's show table writes it: inet_ntop for
    /// addresses, %u for integers, dump_text (up to the NUL, escaped) for
    /// strings, upper-case hex for binary.
    public static func text(_ key: UnsafeRawBufferPointer, _ type: StickKeyType) -> String {
        switch type {
        case .ip:
            return IPv4Address(networkBytes: key).description
        case .ipv6:
            return IPv6Address(networkBytes: key).description
        case .integer:
            return String(key.load(as: UInt32.self))
        case .string:
            var out: [UInt8] = []
            for c in key {
                if c == 0 { break }
                switch c {
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0x1B: out += [0x5C, UInt8(ascii: "e")]
                case 0x5C, 0x20, UInt8(ascii: "="): out += [0x5C, c]
                case 0x21...0x7E: out.append(c)
                default: out += [0x5C, UInt8(ascii: "x"), hex[Int(c >> 4)], hex[Int(c & 15)]]
                }
            }
            return String(decoding: out, as: UTF8.self)
        case .binary:
            var out: [UInt8] = []
            for c in key { out += [hex[Int(c >> 4)], hex[Int(c & 15)]] }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The order `show table` lists entries in: HAProxy walks its key tree
    /// (integers numerically, the others byte by byte).
    public static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ type: StickKeyType) -> Bool {
        if case .integer = type { return a.load(as: UInt32.self) < b.load(as: UInt32.self) }
        return a.lexicographicallyPrecedes(b)
    }
}
