import FulcrumConfig
import FulcrumPosix

/// keepalived's `use_vmac`: a macvlan interface (private mode) on the
/// instance's interface, carrying the virtual MAC 00-00-5E-00-01-{VRID}, made
/// through rtnetlink when the VRRP child starts and removed when it stops.
/// The instance's VIPs without `dev` go on it and its adverts leave from it
/// (from the base interface with `vmac_xmit_base`), so peers and clients see
/// the virtual MAC, and a failover needs no ARP cache update.
///
/// As keepalived does, the base interface answers ARP only for its own
/// addresses (arp_ignore 1, arp_filter 1): otherwise it would answer for the
/// VIPs too, with its own MAC. A vmac left by an earlier VRRP child (one that
/// died while MASTER, whose VIPs must survive the restart) is taken over when
/// it carries the right MAC.
extension VRRPSpeaker {
    func virtualMAC(_ name: String, vrid: Int, base: NetworkInterface) throws -> NetworkInterface {
        let mac = MacvlanLinkMessage.virtualRouterMAC(vrid: UInt8(vrid))
        if let existing = try netlink.interface(named: name) {
            guard existing.mac?.octets == mac else {
                throw VRRPSetupError("use_vmac: interface \(name) exists and does not carry \(MACAddress(mac)!)")
            }
            madeLinks.append(existing.index)
            return existing
        }
        do { try netlink.addLink(MacvlanLinkMessage(name: name, parentIndex: base.index, mac: mac)) } catch {
            throw VRRPSetupError("use_vmac: cannot make \(name) on \(base.name): \(error)")
        }
        guard let link = try netlink.interface(named: name) else {
            throw VRRPSetupError("use_vmac: \(name) vanished after it was made")
        }
        madeLinks.append(link.index)
        for (setting, value) in [("arp_ignore", 1), ("arp_filter", 1)] {
            do { try KernelTunables.write("/proc/sys/net/ipv4/conf/\(base.name)/\(setting)", value) } catch {
                Log.warning("use_vmac: cannot set \(setting) on \(base.name): \(error)")
            }
        }
        Log.notice("use_vmac: \(name) made on \(base.name) with MAC \(MACAddress(mac)!)")
        return link
    }

    /// Removes the vmacs at stop (after the VIPs on them).
    func removeVirtualMACs() {
        for index in madeLinks {
            do { try netlink.deleteLink(index: index) } catch { Log.alert("use_vmac: cannot remove interface \(index): \(error)") }
        }
        madeLinks.removeAll()
    }
}
