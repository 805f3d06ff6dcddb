import Glibc
import CFulcrum

/// Linux capabilities a root process keeps once what needs all of root is
/// done (the VRRP child after opening its sockets): the rest are dropped
/// from its effective and permitted sets for good.
public enum Capabilities {
    /// capability(7) numbers of those a Fulcrum process may keep.
    public enum Capability: Int, CaseIterable, Sendable {
        case kill = 5
        case netAdmin = 12
        case netRaw = 13

        /// The name /proc and capsh print (`cap_net_admin`).
        public var name: String {
            switch self {
            case .kill: return "cap_kill"
            case .netAdmin: return "cap_net_admin"
            case .netRaw: return "cap_net_raw"
            }
        }
    }

    /// The bit mask of `set` as /proc/PID/status shows CapEff.
    public static func mask(_ set: Set<Capability>) -> UInt64 {
        set.reduce(0) { $0 | (1 << UInt64($1.rawValue)) }
    }

    /// Keeps exactly `set` (effective and permitted); nil when done, else why not.
    public static func keepOnly(_ set: Set<Capability>) -> String? {
        cf_keep_capabilities(mask(set)) == 0 ? nil : "capset: \(Errno.current)"
    }
}
