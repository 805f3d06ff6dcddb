import Glibc
import CFulcrum

/// Socket options the configuration asks for: keep-alive probes on a
/// connection, and what a listener is set up with before and after bind().
extension Socket {
    /// SO_KEEPALIVE, with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT when
    /// given (seconds, seconds, probes); unset ones keep the system's values.
    public static func setKeepAlive(_ fd: FileDescriptor, idle: Int?, interval: Int?, count: Int?) {
        try? setOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        if let count { try? setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, Int32(clamping: count)) }
        if let idle { try? setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, Int32(clamping: idle)) }
        if let interval { try? setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, Int32(clamping: interval)) }
    }

    /// SO_RCVBUF / SO_SNDBUF when given (the kernel doubles them for its
    /// own bookkeeping); nil keeps the system's autotuning.
    public static func setBufferSizes(_ fd: FileDescriptor, receive: Int?, send: Int?) {
        if let receive { try? setOption(fd, SOL_SOCKET, SO_RCVBUF, Int32(clamping: receive)) }
        if let send { try? setOption(fd, SOL_SOCKET, SO_SNDBUF, Int32(clamping: send)) }
    }

    /// TCP_FASTOPEN_CONNECT: connect(2) returns at once and the SYN leaves
    /// with the first data written, carrying a Fast Open cookie once the
    /// server gave one (server `tfo`).
    public static func setFastOpenConnect(_ fd: FileDescriptor) {
        try? setOption(fd, Int32(IPPROTO_TCP), 30 /* TCP_FASTOPEN_CONNECT */, 1)
    }

    /// TCP_QUICKACK: off, the ACK of what arrives waits to leave with data
    /// (`tcp-smart-accept` on a listener).
    public static func setQuickAck(_ fd: FileDescriptor, _ on: Bool) {
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, on ? 1 : 0)
    }

    /// How a listening socket is set up (a `bind` line's socket options).
    public struct ListenOptions: Sendable {
        /// SO_BINDTODEVICE, before bind().
        public var device: String? = nil
        /// IPV6_V6ONLY on an IPv6 socket, before bind(); nil: the system's default.
        public var v6Only: Bool? = nil
        /// TCP_DEFER_ACCEPT, seconds.
        public var deferAccept: Int? = nil
        /// TCP_MAXSEG.
        public var maxSegment: Int? = nil
        /// TCP_FASTOPEN with a queue of this length.
        public var fastOpenQueue: Int? = nil
        public init() {}
    }

    /// The options to set before bind(); a failure fails the listener.
    static func applyBeforeBind(_ fd: FileDescriptor, family: Int32, _ o: ListenOptions) throws(Errno) {
        if let device = o.device {
            var name = Array(device.utf8CString)
            try syscall { setsockopt(fd.rawValue, SOL_SOCKET, SO_BINDTODEVICE, &name, socklen_t(name.count)) }
        }
        if let v6Only = o.v6Only, family == AF_INET6 {
            try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, v6Only ? 1 : 0)
        }
    }

    /// The options to set once bound; a failure fails the listener.
    static func applyAfterBind(_ fd: FileDescriptor, _ o: ListenOptions) throws(Errno) {
        if let seconds = o.deferAccept { try setOption(fd, Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT, Int32(clamping: seconds)) }
        if let mss = o.maxSegment { try setOption(fd, Int32(IPPROTO_TCP), TCP_MAXSEG, Int32(clamping: mss)) }
        if let queue = o.fastOpenQueue { try setOption(fd, Int32(IPPROTO_TCP), TCP_FASTOPEN, Int32(clamping: queue)) }
    }
}
