import FulcrumBytes

/// What a received advert is checked against: the receiving instance's own configuration.
public struct VRRPReceiveRules: Sendable {
    /// Version the instance speaks; another version is dropped (`.versionMismatch`).
    public var version: VRRPVersion
    /// The instance's VRID; nil accepts any (the caller dispatched on `VRRPPacket.vrid(ofIPv4Packet:)`).
    public var vrid: UInt8?
    /// v2 only: an advert with another interval is dropped, as keepalived does "to prevent
    /// concurrent VRID running". The advert carries whole seconds, so an interval that is not a
    /// multiple of 100 cs never matches, as in keepalived.
    public var intervalCentiseconds: UInt16
    /// v2 only: type and, for a password, the 8 bytes must match.
    public var authentication: VRRPAuthentication
    /// The instance's virtual addresses (virtual_ipaddress, not the excluded ones). When non-nil,
    /// the advert must carry exactly as many addresses and every one of these: keepalived 2.2.7
    /// drops the advert otherwise (it does not just log). Nil skips the check, as keepalived's
    /// skip_check_adv_addr does for adverts from the current master.
    public var addresses: [IPv4Address]?
    /// Unicast instances (unicast_peer) accept only unicast destinations and skip the TTL check
    /// (keepalived 2.2.7); multicast instances require TTL 255 and a multicast destination.
    public var unicast: Bool
    /// skip_check_adv_addr: adverts from this source (the current master) skip the address
    /// count and list checks; nil checks every advert.
    public var addressCheckExemptSource: IPv4Address? = nil
    /// check_unicast_src: when non-nil, adverts from any other source are dropped
    /// (`.sourceNotUnicastPeer`).
    public var allowedSources: [IPv4Address]? = nil

    public init(version: VRRPVersion, vrid: UInt8?, intervalCentiseconds: UInt16,
                authentication: VRRPAuthentication = .none, addresses: [IPv4Address]?, unicast: Bool = false) {
        self.version = version
        self.vrid = vrid
        self.intervalCentiseconds = intervalCentiseconds
        self.authentication = authentication
        self.addresses = addresses
        self.unicast = unicast
    }
}
