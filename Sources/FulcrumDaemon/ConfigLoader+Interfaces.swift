import Glibc
import FulcrumConfig
import FulcrumPosix

extension ConfigLoader {
    /// keepalived 2.2.7 refuses (at `-t` and at start, exit status 5 / "permanent error CONFIG")
    /// a vrrp_instance naming an interface that does not exist in the network namespace, as
    /// its `interface`, in `track_interface` or as a VIP's `dev`, and one whose `interface` is
    /// a loopback; its words (vrrp_parser.c, then vrrp_complete_init), in line order:
    ///
    ///     (FILE: Line N) WARNING - interface nosuch0 for vrrp_instance VI_1 doesn't exist
    ///     (FILE: Line N) (VI_1) tracked interface nosuch1 doesn't exist
    ///     (FILE: Line N) WARNING - interface nosuch2 for ip address 10.1.1.1/24 doesn't exist
    ///     Non-existent interface specified in configuration
    ///
    ///     (FILE: Line N) (VI_1) cannot use a loopback interface (lo) for vrrp - ignoring
    ///     (VI_1) Unknown interface!
    ///
    /// Fulcrum says the same, as alerts at the name's file:line:column (its "WARNING - " is left
    /// out: the configuration is refused). Checked by the master (start, reload, `-c`), in its
    /// network namespace, which is where the VRRP child runs.
    static func vrrpInterfaceErrors(_ vrrp: VRRPConfiguration) -> [Diagnostic] {
        guard !vrrp.instances.isEmpty else { return [] }
        let netlink: RouteNetlink
        do { netlink = try RouteNetlink() } catch {
            return [Diagnostic(.alert, nil, "cannot read the network interfaces (rtnetlink): \(error)")]
        }
        var known: [String: NetworkInterface?] = [:]
        func link(_ name: String) -> NetworkInterface? {
            if let cached = known[name] { return cached }
            // ENODEV: the kernel's answer for a name it does not know.
            let found = (try? netlink.interface(named: name)) ?? nil
            known[name] = found
            return found
        }
        var located: [Diagnostic] = []
        var unknown: [Diagnostic] = []
        var missing = false
        for instance in vrrp.instances {
            if let name = instance.interface, let at = instance.interfaceLocation {
                if let found = link(name) {
                    if found.flags & UInt32(IFF_LOOPBACK) != 0 {
                        located.append(Diagnostic(.alert, at, "(\(instance.name)) cannot use a loopback interface (\(name)) for vrrp - ignoring"))
                        unknown.append(Diagnostic(.alert, nil, "(\(instance.name)) Unknown interface!"))
                    }
                } else {
                    located.append(Diagnostic(.alert, at, "interface \(name) for vrrp_instance \(instance.name) doesn't exist"))
                    missing = true
                }
            }
            for track in instance.trackInterfaces where link(track.name) == nil {
                located.append(Diagnostic(.alert, track.location, "(\(instance.name)) tracked interface \(track.name) doesn't exist"))
                missing = true
            }
            for vip in instance.virtualAddresses + instance.excludedAddresses {
                guard let device = vip.device, link(device) == nil else { continue }
                let written = vip.prefixLength == (vip.address.isIPv4 ? 32 : 128) ? "\(vip.address)" : "\(vip.address)/\(vip.prefixLength)"
                located.append(Diagnostic(.alert, vip.location, "interface \(device) for ip address \(written) doesn't exist"))
                missing = true
            }
        }
        located.sort { ($0.location?.file ?? "", $0.location?.line ?? 0) < ($1.location?.file ?? "", $1.location?.line ?? 0) }
        var out = located + unknown
        if missing { out.append(Diagnostic(.alert, nil, "Non-existent interface specified in configuration")) }
        return out
    }

    /// The interfaces bgp_instance blocks need, checked like a vrrp_instance's
    /// (master: start, reload, `-c`): `vip_interface` (Fulcrum puts the VIPs on
    /// it but does not make it) and each `track_interface`.
    static func bgpInterfaceErrors(_ bgp: BGPConfiguration) -> [Diagnostic] {
        guard let first = bgp.instances.first else { return [] }
        let netlink: RouteNetlink
        do { netlink = try RouteNetlink() } catch {
            return [Diagnostic(.alert, nil, "cannot read the network interfaces (rtnetlink): \(error)")]
        }
        func exists(_ name: String) -> Bool { ((try? netlink.interface(named: name)) ?? nil) != nil }
        var out: [Diagnostic] = []
        let vip = bgp.definitions.vipInterface
        if !exists(vip) {
            out.append(Diagnostic(.alert, bgp.definitions.vipInterfaceLocation ?? first.location,
                                  "vip_interface \(vip) for the BGP virtual addresses doesn't exist (make it: 'ip link add \(vip) type dummy', or name lo)"))
        }
        for instance in bgp.instances {
            for track in instance.trackInterfaces where !exists(track.name) {
                out.append(Diagnostic(.alert, track.location, "(\(instance.name)) tracked interface \(track.name) doesn't exist"))
            }
        }
        return out
    }
}
