/// The peers protocol's byte-level pieces (HAProxy's peers.c, doc
/// peers-v2.0.txt): its variable-length integers and a reader over a
/// received message. An integer below 240 is one byte; above, the first
/// byte carries the low 4 bits with 0xF0 set and each next byte 7 more
/// bits, the high bit set on every byte but the last.
public enum PeerVarint {
    public static func encode(_ value: UInt64, into out: inout [UInt8]) {
        var i = value
        if i < 0xF0 {
            out.append(UInt8(i))
            return
        }
        out.append(UInt8(truncatingIfNeeded: i) | 0xF0)
        i = (i - 0xF0) >> 4
        while i >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: i) | 0x80)
            i = (i - 0x80) >> 7
        }
        out.append(UInt8(i))
    }

    /// Decodes at `position` (moved past it); nil when the bytes end first
    /// or the value does not fit in 64 bits.
    public static func decode(_ bytes: UnsafeRawBufferPointer, _ position: inout Int, end: Int) -> UInt64? {
        guard position < end else { return nil }
        var i = UInt64(bytes[position])
        position += 1
        guard i >= 0xF0 else { return i }
        var shift: UInt64 = 4
        while true {
            guard position < end, shift < 64 else { return nil }
            let b = bytes[position]
            position += 1
            let (v, overflow) = UInt64(b).multipliedReportingOverflow(by: 1 << shift)
            guard !overflow || b == 0 else { return nil }
            i = i &+ v
            shift += 7
            if b < 0x80 { return i }
        }
    }
}

/// Reads one message's payload: varints, network-order words, bytes.
/// Every read fails (nil) past the payload's end, never traps.
public struct PeerReader {
    let bytes: UnsafeRawBufferPointer
    public private(set) var position: Int
    public let end: Int

    public init(_ bytes: UnsafeRawBufferPointer, from: Int = 0, end: Int? = nil) {
        self.bytes = bytes; position = from; self.end = end ?? bytes.count
    }

    public var remaining: Int { end - position }
    public var atEnd: Bool { position >= end }

    public mutating func varint() -> UInt64? { PeerVarint.decode(bytes, &position, end: end) }

    /// A varint that must fit `Int` (lengths, ids).
    public mutating func count() -> Int? {
        guard let v = varint(), v <= UInt64(Int32.max) else { return nil }
        return Int(v)
    }

    public mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 8 | UInt32(bytes[position + k]) }
        position += 4
        return v
    }

    public mutating func take(_ n: Int) -> UnsafeRawBufferPointer? {
        guard n >= 0, remaining >= n else { return nil }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    public mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, remaining >= n else { return false }
        position += n
        return true
    }
}

extension Array where Element == UInt8 {
    mutating func appendPeerU32(_ v: UInt32) {
        append(UInt8(v >> 24)); append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 8)); append(UInt8(truncatingIfNeeded: v))
    }
}
