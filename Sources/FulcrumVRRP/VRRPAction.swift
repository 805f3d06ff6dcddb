/// What the caller must do after an input to a `VRRPInstance`, in the order given.
public enum VRRPAction: Equatable, Sendable {
    /// Send one advertisement with this priority (0 when leaving MASTER) to the multicast group
    /// or to every unicast peer, carrying the instance's VIPs and interval.
    case sendAdvertisement(priority: UInt8)
    /// Add the virtual addresses (adding one that is already there is not an error).
    case addVirtualAddresses
    /// Remove the virtual addresses (removing one that is absent is not an error).
    case removeVirtualAddresses
    /// Send `rounds` gratuitous ARPs for every virtual address.
    case sendGratuitousARP(rounds: Int)
    /// Run the notify scripts for this state (notify_master / notify_backup / notify_fault /
    /// notify_stop and `notify` with INSTANCE, name, state, priority).
    case notify(VRRPState)
}
