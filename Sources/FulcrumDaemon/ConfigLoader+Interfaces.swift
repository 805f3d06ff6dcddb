import Glibc
import FulcrumConfig
import FulcrumPosix

extension ConfigLoader {
    /// keepalived 2.2.7 refuses (at `-t` and at start, exit status 5 / "permanent error CONFIG")
    /// a vrrp_instance whose `interface` does not exist in the network namespace, or is a
    /// loopback one; its words (vrrp_parser.c vrrp_int_handler, then vrrp_complete_init):
    ///
    ///     (FILE: Line N) WARNING - interface nosuch0 for vrrp_instance VI_1 doesn't exist
    ///     Non-existent interface specified in configuration
    ///
    ///     (FILE: Line N) (VI_1) cannot use a loopback interface (lo) for vrrp - ignoring
    ///     (VI_1) Unknown interface!
    ///
    /// Fulcrum says the same, as alerts at the interface name (its "WARNING - " is left out:
    /// the configuration is refused). Checked by the master (start, reload, `-c`), in its
    /// namespace, which is where the VRRP child runs.
    static func vrrpInterfaceErrors(_ vrrp: VRRPConfiguration) -> [Diagnostic] {
        let written = vrrp.instances.filter { $0.interface != nil && $0.interfaceLocation != nil }
        guard !written.isEmpty else { return [] }
        let netlink: RouteNetlink
        do { netlink = try RouteNetlink() } catch {
            return [Diagnostic(.alert, nil, "cannot read the network interfaces (rtnetlink): \(error)")]
        }
        var out: [Diagnostic] = []
        var missing = false
        for instance in written {
            guard let name = instance.interface, let at = instance.interfaceLocation else { continue }
            let link: NetworkInterface?
            do { link = try netlink.interface(named: name) } catch {
                // ENODEV: the kernel's answer for a name it does not know.
                link = nil
            }
            guard let link else {
                out.append(Diagnostic(.alert, at, "interface \(name) for vrrp_instance \(instance.name) doesn't exist"))
                missing = true
                continue
            }
            if link.flags & UInt32(IFF_LOOPBACK) != 0 {
                out.append(Diagnostic(.alert, at, "(\(instance.name)) cannot use a loopback interface (\(name)) for vrrp - ignoring"))
                out.append(Diagnostic(.alert, nil, "(\(instance.name)) Unknown interface!"))
            }
        }
        if missing { out.append(Diagnostic(.alert, nil, "Non-existent interface specified in configuration")) }
        return out
    }
}
