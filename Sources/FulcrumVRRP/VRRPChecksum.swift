import FulcrumBytes

/// The Internet checksum (RFC 1071) VRRP uses: v2 over the VRRP message alone, v3 (IPv4) over
/// the pseudo-header (source, destination, zero, protocol 112, VRRP length) followed by the message.
public enum VRRPChecksum {
    /// The one's complement sum of `bytes` taken as big-endian 16-bit words (an odd last byte is
    /// padded with zero), added to `initial` and folded to 16 bits. Not complemented.
    @inlinable
    public static func sum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        var total = initial
        var index = 0
        let count = bytes.count
        while index + 1 < count {
            total &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < count { total &+= UInt32(bytes[index]) << 8 }
        return fold(total)
    }

    /// The sum of the IPv4 pseudo-header v3 checksums start from.
    @inlinable
    public static func pseudoHeaderSum(source: IPv4Address, destination: IPv4Address, length: Int) -> UInt32 {
        var total: UInt32 = 0
        total &+= source.value >> 16
        total &+= source.value & 0xFFFF
        total &+= destination.value >> 16
        total &+= destination.value & 0xFFFF
        total &+= UInt32(VRRPPacket.ipProtocol)
        total &+= UInt32(length & 0xFFFF)
        return fold(total)
    }

    @inlinable
    static func fold(_ value: UInt32) -> UInt32 {
        var total = value
        while total > 0xFFFF { total = (total & 0xFFFF) &+ (total >> 16) }
        return total
    }

    /// The checksum field value for a message whose checksum bytes are zero.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt16 {
        ~UInt16(truncatingIfNeeded: sum(bytes, initial: initial))
    }

    /// True when a received message (checksum field included) sums to all ones.
    @inlinable
    public static func verifies(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> Bool {
        sum(bytes, initial: initial) == 0xFFFF
    }
}
