import FulcrumBytes

/// The configuration of one VRRP instance as the election needs it (keepalived's vrrp_instance).
/// Times are in microseconds of the caller's monotonic clock.
public struct VRRPInstanceParameters: Sendable {
    public var vrid: UInt8
    public var version: VRRPVersion
    /// Configured priority, 1...255; 255 is the address owner.
    public var priority: UInt8
    /// advert_int in centiseconds (v2: a multiple of 100).
    public var advertIntervalCentiseconds: UInt16
    /// `state MASTER` or `state BACKUP`.
    public var initialState: VRRPInitialState
    /// False for `nopreempt`.
    public var preempt: Bool
    /// preempt_delay in microseconds; 0 for none.
    public var preemptDelay: Int64
    /// The instance's primary IPv4 address (unicast_src_ip or the interface's): the advert
    /// source, and the tie-breaker between equal priorities.
    public var primaryAddress: IPv4Address
    /// virtual_ipaddress: carried in adverts and checked in received ones.
    public var virtualAddresses: [IPv4Address]
    /// v2 only.
    public var authentication: VRRPAuthentication
    /// True with unicast_peer: changes only the receive rules.
    public var unicast: Bool
    /// garp_master_delay: the second gratuitous-ARP burst after becoming MASTER; 0 disables it.
    public var garpMasterDelay: Int64
    /// garp_master_repeat: ARPs per address in each burst.
    public var garpMasterRepeat: Int
    /// garp_master_refresh: periodic bursts while MASTER; 0 disables them.
    public var garpMasterRefresh: Int64
    /// garp_master_refresh_repeat.
    public var garpMasterRefreshRepeat: Int
    /// down_timer_adverts: adverts missed before the master is declared down.
    public var downTimerAdverts: Int
    /// skip_check_adv_addr: the current master's adverts are not checked for the VIP list.
    public var skipCheckAdvertAddresses = false
    /// check_unicast_src with these peers: adverts from other sources are dropped.
    public var acceptedSources: [IPv4Address]? = nil

    public init(vrid: UInt8, version: VRRPVersion = .v2, priority: UInt8 = 100,
                advertIntervalCentiseconds: UInt16 = 100, initialState: VRRPInitialState = .backup,
                preempt: Bool = true, preemptDelay: Int64 = 0, primaryAddress: IPv4Address,
                virtualAddresses: [IPv4Address] = [], authentication: VRRPAuthentication = .none,
                unicast: Bool = false, garpMasterDelay: Int64 = 5_000_000, garpMasterRepeat: Int = 5,
                garpMasterRefresh: Int64 = 0, garpMasterRefreshRepeat: Int = 1, downTimerAdverts: Int = 3) {
        self.vrid = vrid
        self.version = version
        self.priority = priority
        self.advertIntervalCentiseconds = advertIntervalCentiseconds
        self.initialState = initialState
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.primaryAddress = primaryAddress
        self.virtualAddresses = virtualAddresses
        self.authentication = authentication
        self.unicast = unicast
        self.garpMasterDelay = garpMasterDelay
        self.garpMasterRepeat = garpMasterRepeat
        self.garpMasterRefresh = garpMasterRefresh
        self.garpMasterRefreshRepeat = garpMasterRefreshRepeat
        self.downTimerAdverts = downTimerAdverts
    }

    /// The parameters keepalived 2.2.7 actually runs with (vrrp_complete_instance): v3 has no
    /// authentication; the owner and a `state MASTER` instance always preempt, without delay;
    /// nopreempt has no delay.
    public var normalized: VRRPInstanceParameters {
        var result = self
        if result.version == .v3 { result.authentication = .none }
        if result.priority == VRRPPriority.owner { result.preempt = true }
        if result.initialState == .master {
            result.preempt = true
            result.preemptDelay = 0
        }
        if !result.preempt { result.preemptDelay = 0 }
        if result.downTimerAdverts < 1 { result.downTimerAdverts = 1 }
        return result
    }
}
