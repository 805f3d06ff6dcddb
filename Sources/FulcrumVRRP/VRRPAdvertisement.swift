import FulcrumBytes

/// The content of one VRRP advertisement, independent of the IP header that carries it.
public struct VRRPAdvertisement: Equatable, Sendable {
    public var version: VRRPVersion
    public var vrid: UInt8
    /// 0 means the master is leaving; 255 means the address owner.
    public var priority: UInt8
    /// The advertisement interval in centiseconds. v2 carries whole seconds (this / 100, at most
    /// 255 s); v3 carries the 12-bit Max Adver Int (at most 4095 cs).
    public var intervalCentiseconds: UInt16
    /// The virtual addresses, in the order the instance lists them.
    public var addresses: [IPv4Address]
    /// v2 only; ignored when encoding v3.
    public var authentication: VRRPAuthentication

    public init(version: VRRPVersion, vrid: UInt8, priority: UInt8, intervalCentiseconds: UInt16,
                addresses: [IPv4Address], authentication: VRRPAuthentication = .none) {
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.intervalCentiseconds = intervalCentiseconds
        self.addresses = addresses
        self.authentication = authentication
    }
}
