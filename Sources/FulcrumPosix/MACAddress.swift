/// A 48-bit Ethernet address, held in the low bits of a UInt64 (first byte
/// highest) so it is a plain value: no array, trivially Hashable.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }
    /// Exactly 6 bytes, as in IFLA_ADDRESS or an Ethernet header.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 6 else { return nil }
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        value = v
    }
    public init?(_ octets: [UInt8]) {
        guard let m = octets.withUnsafeBytes({ MACAddress(bytes: $0) }) else { return nil }
        self = m
    }

    public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64($0))) } }

    /// Writes the 6 bytes at `offset` (frame building without allocation).
    @inline(__always)
    public func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        for i in 0..<6 { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64(i))) }
    }

    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(0)

    public var description: String {
        octets.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: ":")
    }
}
