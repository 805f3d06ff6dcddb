import FulcrumBytes

/// The VRRP wire format over IPv4. Sending builds only the VRRP message: the kernel writes the
/// IP header on a raw IPPROTO 112 socket (TTL 255 set on the socket). Receiving parses the whole
/// IPv4 packet a raw socket delivers (see `VRRPPacket+Decode.swift`).
///
/// Layout (RFC 3768 §5.1, RFC 5798 §5.1), after the 20..60-byte IPv4 header:
///
///     0: version(4) type(4)   1: VRID   2: priority   3: address count
///     v2: 4: auth type   5: advert interval (s)      v3: 4..5: reserved(4) max advert interval (cs, 12 bits)
///     6..7: checksum   8..: addresses (4 bytes each)   v2 only: 8 bytes of authentication data
public enum VRRPPacket {
    public static let ipProtocol: UInt8 = 112
    /// The only TTL a multicast advert may arrive with (RFC 3768 §7.1, RFC 5798 §7.1).
    public static let ttl: UInt8 = 255
    /// The only packet type: ADVERTISEMENT.
    public static let advertisementType: UInt8 = 1
    /// Fixed part before the address list.
    public static let headerLength = 8

    /// The length of the VRRP message (no IP header) for `addressCount` addresses.
    @inlinable
    public static func messageLength(version: VRRPVersion, addressCount: Int) -> Int {
        headerLength + 4 * addressCount + (version == .v2 ? VRRPPassword.length : 0)
    }

    /// Writes `advert` as a VRRP message into `buffer`, replacing its contents but keeping its
    /// capacity, so a sender that reuses one buffer allocates nothing per advert.
    ///
    /// `source` and `destination` feed the v3 pseudo-header: the instance's primary address and
    /// the multicast group, or the unicast peer the copy goes to (one encode per peer). A peer
    /// that runs keepalived 1.3.6 or older expects the multicast group there even for unicast:
    /// pass `IPv4Address.vrrpMulticast` for it. v2 ignores both.
    public static func encode(_ advert: VRRPAdvertisement, source: IPv4Address, destination: IPv4Address,
                              into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        appendMessage(advert, source: source, destination: destination, to: &buffer)
    }

    /// Appends the VRRP message to `buffer` (after an IP and AH header for `auth_type AH`,
    /// `VRRPAuthenticationHeader`); the checksum covers only the appended bytes.
    static func appendMessage(_ advert: VRRPAdvertisement, source: IPv4Address, destination: IPv4Address,
                              to buffer: inout [UInt8]) {
        precondition(advert.addresses.count <= 255, "a VRRP advert carries at most 255 addresses")
        let length = messageLength(version: advert.version, addressCount: advert.addresses.count)
        let start = buffer.count
        buffer.reserveCapacity(start + length)
        buffer.append(advert.version.rawValue << 4 | advertisementType)
        buffer.append(advert.vrid)
        buffer.append(advert.priority)
        buffer.append(UInt8(advert.addresses.count))
        switch advert.version {
        case .v2:
            buffer.append(advert.authentication.typeCode)
            buffer.append(UInt8(clamping: advert.intervalCentiseconds / 100))
        case .v3:
            let interval = advert.intervalCentiseconds & 0x0FFF
            buffer.append(UInt8(interval >> 8))
            buffer.append(UInt8(interval & 0xFF))
        }
        buffer.append(0)
        buffer.append(0)
        for address in advert.addresses {
            buffer.append(UInt8(address.value >> 24))
            buffer.append(UInt8(address.value >> 16 & 0xFF))
            buffer.append(UInt8(address.value >> 8 & 0xFF))
            buffer.append(UInt8(address.value & 0xFF))
        }
        if advert.version == .v2 {
            // keepalived writes the password only for PASS; AH leaves the 8 bytes zero.
            if case .password(let password) = advert.authentication {
                buffer.append(contentsOf: password.bytes)
            } else {
                buffer.append(contentsOf: repeatElement(0, count: VRRPPassword.length))
            }
        }
        let initial = advert.version == .v3
            ? VRRPChecksum.pseudoHeaderSum(source: source, destination: destination, length: length) : 0
        let checksum = buffer.withUnsafeBytes { VRRPChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[start...]), initial: initial) }
        buffer[start + 6] = UInt8(checksum >> 8)
        buffer[start + 7] = UInt8(checksum & 0xFF)
    }

    /// The VRID of a received IPv4 packet, read without validating anything else, so a receiver
    /// that serves several instances on one socket can pick the instance first (keepalived looks
    /// the VRID up before any other check and ignores unknown ones). Nil if too short to hold it.
    public static func vrid(ofIPv4Packet packet: UnsafeRawBufferPointer) -> UInt8? {
        guard packet.count >= 20 else { return nil }
        let ihl = Int(packet[0] & 0x0F) * 4
        // auth_type AH: the VRRP header follows the Authentication Header.
        let vrrp = ihl + (packet[9] == VRRPAuthenticationHeader.ipProtocol ? VRRPAuthenticationHeader.length : 0)
        guard ihl >= 20, packet.count >= vrrp + headerLength else { return nil }
        return packet[vrrp + 1]
    }

    public static func vrid(ofIPv4Packet packet: [UInt8]) -> UInt8? {
        packet.withUnsafeBytes { vrid(ofIPv4Packet: $0) }
    }
}
