/// Socket options of a `bind` line's listening sockets, set by the master
/// when it opens them (accepted connections inherit them from the listener).
public struct BindSocketOptions: Hashable, Sendable {
    /// `defer-accept`: TCP_DEFER_ACCEPT of one second, as HAProxy sets it: a
    /// connection is only accepted once the client has sent data.
    public var deferAccept = false
    /// `mss N`: TCP_MAXSEG advertised on incoming connections.
    public var mss: Int? = nil
    /// `interface NAME`: SO_BINDTODEVICE, only connections arriving through
    /// that interface are accepted.
    public var interface: String? = nil
    /// `v4v6` (false) / `v6only` (true): IPV6_V6ONLY on an IPv6 listener;
    /// nil keeps the system's default (net.ipv6.bindv6only).
    public var v6Only: Bool? = nil
    /// `tfo`: TCP Fast Open, its queue as long as the listener's backlog.
    public var fastOpen = false
    public init() {}

    /// Appended to a listening address to name its sockets: sockets are
    /// kept across reloads by that name, so a bind whose options changed
    /// gets sockets of its own instead of ones set up for other options.
    public var identity: String {
        var key = ""
        if let interface { key += "%" + interface }
        if let v6Only { key += v6Only ? "/v6only" : "/v4v6" }
        if deferAccept { key += "/defer" }
        if let mss { key += "/mss\(mss)" }
        if fastOpen { key += "/tfo" }
        return key
    }
}
