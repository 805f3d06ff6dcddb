import FulcrumBytes

/// An advertisement that passed every check, with what the election needs from its IP header.
public struct VRRPReceivedAdvertisement: Equatable, Sendable {
    /// The sender's primary address (IP source): equal priorities are broken on it.
    public var source: IPv4Address
    public var destination: IPv4Address
    public var ttl: UInt8
    public var advertisement: VRRPAdvertisement
    /// How the checksum verified; a unicast v3 peer in `.multicastGroupPseudoHeader` form is an
    /// old keepalived that expects the same form back (keepalived then switches its own sending).
    public var checksumForm: VRRPChecksumForm

    public init(source: IPv4Address, destination: IPv4Address, ttl: UInt8,
                advertisement: VRRPAdvertisement, checksumForm: VRRPChecksumForm) {
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.advertisement = advertisement
        self.checksumForm = checksumForm
    }
}

/// The forms a received checksum is accepted in.
public enum VRRPChecksumForm: Sendable {
    /// v2 over the message; v3 over the pseudo-header with the packet's own destination (RFC 5798).
    case standard
    /// v3 with 224.0.0.18 in the pseudo-header although the packet was unicast: keepalived
    /// 1.3.6 and older sent this, and keepalived 2.2.7 still accepts it.
    case multicastGroupPseudoHeader
    /// v3 over the message alone, without a pseudo-header, as some early implementations sent.
    case noPseudoHeader
}
