import Glibc
import FulcrumPosix

/// What the VRRP child keeps of root once its sockets are open (issue 17):
/// CAP_NET_ADMIN for addresses, routes, rules and links over netlink,
/// CAP_NET_RAW for the VRRP, ARP and NA sockets it may open again when an
/// interface comes back, and CAP_KILL only when a script runs as another
/// user (a timeout or the stop kills it; without the capability root may
/// signal only its own uid's processes). Scripts still start as keepalived
/// starts them: the child stays uid 0 and its bounding set is left, so the
/// `--role program` it executes gets root's capabilities again to become the
/// script user, or to run the script as root when no script user is set.
extension VRRPSpeaker {
    var neededCapabilities: Set<Capabilities.Capability> {
        var kept: Set<Capabilities.Capability> = [.netAdmin, .netRaw]
        if scriptUsers.contains(where: Self.isOtherThanRoot) { kept.insert(.kill) }
        return kept
    }

    /// The users every script that can run here runs as (nil: root's uid).
    private var scriptUsers: [String?] {
        var users = scripts.filter { !$0.disabled && $0.config.command != nil }.map { $0.config.user ?? scriptUser.user }
        let vrrp = configuration.vrrp
        if vrrp.instances.contains(where: { !$0.notify.isEmpty }) || vrrp.syncGroups.contains(where: { !$0.notify.isEmpty }) {
            users.append(scriptUser.user)
        }
        return users
    }

    private static func isOtherThanRoot(_ user: String?) -> Bool {
        guard let user else { return false }
        return Privileges.resolve(user: user, group: nil).target?.uid.map { $0 != 0 } ?? true
    }

    /// Drops every other capability (only when running as root: otherwise
    /// there is nothing to drop); nil when done, else why not.
    func dropCapabilities() -> String? {
        guard geteuid() == 0 else { return nil }
        return Capabilities.keepOnly(neededCapabilities)
    }
}
