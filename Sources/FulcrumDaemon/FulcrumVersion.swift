/// Version strings for -v, -vv and `show proc`.
public enum FulcrumVersion {
    public static let string = "0.1.0"
    public static let date = "2026/11/21"
    /// The HAProxy release whose behaviour Fulcrum implements and is tested against.
    public static let haproxyBehaviour = "2.6.12"
    /// `show info`'s Version (and `show version`): HAProxy's version first, so
    /// tools that gate features on it (Ansible's haproxy module drains only
    /// from 1.5 on) see what Fulcrum behaves as, then Fulcrum's own.
    public static let runtimeVersion = "\(haproxyBehaviour)-fulcrum-\(string)"
}
