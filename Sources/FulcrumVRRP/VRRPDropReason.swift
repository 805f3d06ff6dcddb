import FulcrumBytes

/// Why a received packet was dropped. Each reason names the keepalived per-instance counter it
/// feeds (`show vrrp stats`, the data dump and SNMP) through `counter`.
///
/// keepalived 2.2.7 drops (never only logs) on every one of these, address-list mismatches
/// included. Two it drops without counting: an unknown VRID (logged only with
/// log_unknown_vrids; its SNMP vrid_err is never incremented) and a v2 interval mismatch
/// (advert_interval_err exists in the dump but is never incremented). Fulcrum counts the latter
/// in `advertIntervalErrors`, the counter named for it.
public enum VRRPDropReason: Error, Equatable, Sendable {
    /// Shorter than an IPv4 header plus the 8-byte VRRP header, IP version not 4, or IHL < 5.
    case malformedIPHeader
    /// IP protocol is neither 112 nor 51 (AH), or an AH carries another protocol (keepalived
    /// ignores those without counting).
    case notVRRP(protocol: UInt8)
    /// The VRID is not the instance's (`VRRPReceiveRules.vrid`).
    case vridMismatch(UInt8)
    /// The received length is not the IP header plus the VRRP message its address count
    /// implies, or the IP total length differs from the received length.
    case packetLength(received: Int, expected: Int)
    /// A multicast instance received TTL other than 255.
    case ttl(UInt8)
    /// The VRRP version is not the instance's.
    case versionMismatch(UInt8)
    /// v2 auth type not 0, 1 or 2.
    case invalidAuthType(UInt8)
    /// v2 auth type differs from the instance's.
    case authTypeMismatch(UInt8)
    /// v2 simple password differs, or the AH's ICV does not verify (wrong password or a field
    /// changed on the way).
    case authFailure
    /// AH: the SPI is not the packet's source address.
    case invalidSecurityParameterIndex(UInt32)
    /// AH: the sequence number is not newer than the instance's counter (`VRRPAHSequence`).
    case sequenceReplayed(received: UInt32, local: UInt32)
    /// v2 interval (seconds) differs from the instance's.
    case advertIntervalMismatch(receivedSeconds: UInt8)
    /// Packet type not ADVERTISEMENT.
    case invalidType(UInt8)
    /// The address count is not the instance's VIP count.
    case addressCountMismatch(received: UInt8, expected: Int)
    /// The checksum does not verify in any accepted form.
    case checksum
    /// A multicast instance received a unicast advert or the reverse.
    case unexpectedDestination(IPv4Address)
    /// One of the instance's VIPs is missing from the advert.
    case addressListMismatch(missing: IPv4Address)
    /// check_unicast_src: the advert's source is not one of the instance's unicast peers.
    case sourceNotUnicastPeer(IPv4Address)

    /// The keepalived counter this drop increments, nil when keepalived counts nothing.
    public var counter: VRRPDropCounter? {
        switch self {
        case .malformedIPHeader, .notVRRP, .vridMismatch, .sourceNotUnicastPeer: return nil
        case .packetLength: return .packetLengthErrors
        case .ttl: return .ipTTLErrors
        case .versionMismatch: return .versionErrors
        case .invalidAuthType: return .invalidAuthType
        case .authTypeMismatch: return .authTypeMismatch
        case .authFailure, .invalidSecurityParameterIndex, .sequenceReplayed: return .authFailure
        case .advertIntervalMismatch: return .advertIntervalErrors
        case .invalidType: return .invalidTypeReceived
        case .addressCountMismatch, .unexpectedDestination, .addressListMismatch: return .addressListErrors
        case .checksum: return .checksumErrors
        }
    }
}

/// keepalived's per-instance error counters (vrrp_stats), named as `show vrrp stats` prints them.
public enum VRRPDropCounter: Sendable, CaseIterable {
    /// "Packet Errors: Length"
    case packetLengthErrors
    /// "Packet Errors: TTL"
    case ipTTLErrors
    /// "Packet Errors: Invalid Type"
    case invalidTypeReceived
    /// "Packet Errors: Advertisement Interval"
    case advertIntervalErrors
    /// "Packet Errors: Address List"
    case addressListErrors
    /// "Authentication Errors: Invalid Type"
    case invalidAuthType
    /// "Authentication Errors: Type Mismatch"
    case authTypeMismatch
    /// "Authentication Errors: Failure"
    case authFailure
    /// SNMP vrrpv3StatisticsChecksumErrors (chk_err)
    case checksumErrors
    /// SNMP vrrpv3StatisticsVersionErrors (vers_err)
    case versionErrors
}
