import FulcrumBytes

/// keepalived's VRRPv2 `auth_type AH` (vrrp.c, vrrp_ipsecah.c in 2.2.7): an IPsec
/// Authentication Header (RFC 2402) between the IPv4 header and the VRRP message, made and
/// checked by keepalived itself (no kernel SA). Because the ICV covers the IP header, the
/// sender writes the whole packet (IP_HDRINCL), identification included:
///
///     IPv4 (20): tos 0xC0, id (keepalived's per-instance counter, never 0), TTL 255,
///                protocol 51, checksum left to the kernel
///     AH (24):   next header 112, payload length 4, reserved 0, SPI = the source address,
///                sequence number, ICV (12 bytes: HMAC-MD5-96)
///     VRRP:      the v2 message, auth type 2, its 8 authentication bytes zero
///
/// The ICV is HMAC-MD5 keyed with the 8 password bytes over the IP header with TOS, fragment
/// offset and checksum zeroed (and TTL, for unicast instances), the AH with its ICV zeroed,
/// and the VRRP message; its first 12 bytes are sent.
public enum VRRPAuthenticationHeader {
    /// IPPROTO_AH.
    public static let ipProtocol: UInt8 = 51
    /// The header keepalived sends (ipsec_ah_t).
    public static let length = 24
    /// "Payload Len": the header's length in 32-bit words, minus 2.
    public static let payloadLength: UInt8 = 4
    /// HMAC-MD5-96.
    public static let icvLength = 12
    static let ipHeaderLength = 20
    static let icvOffset = 12
    /// keepalived's IP TOS for adverts (network control).
    static let typeOfService: UInt8 = 0xC0

    /// Writes the whole IPv4 packet for `advert` (whose authentication should be `.ipsecAH`)
    /// into `buffer`, replacing its contents: what goes to a raw IP_HDRINCL socket. The IP
    /// checksum is filled in too (the kernel writes the same), so the bytes are the wire's.
    public static func encode(_ advert: VRRPAdvertisement, password: VRRPPassword, source: IPv4Address,
                              destination: IPv4Address, identification: UInt16, sequence: UInt32,
                              unicast: Bool, ttl: UInt8 = VRRPPacket.ttl, into buffer: inout [UInt8]) {
        let messageLength = VRRPPacket.messageLength(version: advert.version, addressCount: advert.addresses.count)
        let total = ipHeaderLength + length + messageLength
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(total)
        buffer.append(0x45)
        buffer.append(typeOfService)
        append16(UInt16(total), to: &buffer)
        append16(identification, to: &buffer)
        append16(0, to: &buffer)
        buffer.append(ttl)
        buffer.append(ipProtocol)
        append16(0, to: &buffer)
        append32(source.value, to: &buffer)
        append32(destination.value, to: &buffer)
        buffer.append(VRRPPacket.ipProtocol)
        buffer.append(payloadLength)
        append16(0, to: &buffer)
        append32(source.value, to: &buffer)
        append32(sequence, to: &buffer)
        buffer.append(contentsOf: repeatElement(0, count: icvLength))
        VRRPPacket.appendMessage(advert, source: source, destination: destination, to: &buffer)

        // The ICV, over the header with its mutable fields zeroed (fragment offset and checksum
        // are zero already).
        buffer[1] = 0
        if unicast { buffer[8] = 0 }
        let icv = buffer.withUnsafeBytes { HMACMD5.authenticate(key: password.bytes, [$0]) }
        buffer[1] = typeOfService
        buffer[8] = ttl
        let at = ipHeaderLength + icvOffset
        for index in 0..<icvLength { buffer[at + index] = icv[index] }
        let checksum = buffer.withUnsafeBytes {
            VRRPChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<ipHeaderLength]))
        }
        buffer[10] = UInt8(checksum >> 8)
        buffer[11] = UInt8(checksum & 0xFF)
    }

    /// Checks a received packet's AH as keepalived's vrrp_in_chk_ipsecah does, in its order:
    /// the ICV (over a copy of the IP header and AH with TOS, fragment offset, checksum, the
    /// ICV and, for a unicast instance, TTL zeroed, then the rest of the packet), then the SPI
    /// (must be the source address). Returns the sequence number for the caller's replay
    /// check (`VRRPAHSequence`). The caller has checked that the packet holds the IP header
    /// and the whole AH.
    public static func verify(ipv4Packet packet: UnsafeRawBufferPointer, password: VRRPPassword,
                              unicast: Bool) throws(VRRPDropReason) -> UInt32 {
        let ihl = Int(packet[0] & 0x0F) * 4
        let headers = ihl + length
        guard packet.count >= headers else { throw .malformedIPHeader }
        var copy = Array(packet[0..<headers])
        copy[1] = 0
        copy[6] = 0
        copy[7] = 0
        copy[10] = 0
        copy[11] = 0
        if unicast { copy[8] = 0 }
        for index in 0..<icvLength { copy[ihl + icvOffset + index] = 0 }
        let digest = copy.withUnsafeBytes {
            HMACMD5.authenticate(key: password.bytes, [$0, UnsafeRawBufferPointer(rebasing: packet[headers...])])
        }
        var difference: UInt8 = 0
        for index in 0..<icvLength { difference |= digest[index] ^ packet[ihl + icvOffset + index] }
        guard difference == 0 else { throw .authFailure }
        guard read32(packet, at: ihl + 4) == read32(packet, at: 12) else {
            throw .invalidSecurityParameterIndex(read32(packet, at: ihl + 4))
        }
        return read32(packet, at: ihl + 8)
    }

    @inline(__always)
    private static func append16(_ value: UInt16, to buffer: inout [UInt8]) {
        buffer.append(UInt8(value >> 8))
        buffer.append(UInt8(value & 0xFF))
    }

    @inline(__always)
    private static func append32(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer.append(UInt8(value >> 24))
        buffer.append(UInt8(value >> 16 & 0xFF))
        buffer.append(UInt8(value >> 8 & 0xFF))
        buffer.append(UInt8(value & 0xFF))
    }

    @inline(__always)
    private static func read32(_ packet: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(packet[offset]) << 24 | UInt32(packet[offset + 1]) << 16
            | UInt32(packet[offset + 2]) << 8 | UInt32(packet[offset + 3])
    }
}
