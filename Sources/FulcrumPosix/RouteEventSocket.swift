import Glibc
import CFulcrum

/// A change the kernel announced on the rtnetlink multicast groups.
public enum RouteEvent: Equatable, Sendable {
    /// RTM_NEWLINK: an interface appeared or changed (flags, carrier, name...);
    /// `isOperational` says whether VRRP may use it.
    case link(NetworkInterface)
    /// RTM_DELLINK: the interface is gone.
    case linkRemoved(NetworkInterface)
    /// RTM_NEWADDR for IPv4.
    case addressAdded(InterfaceAddress)
    /// RTM_DELADDR for IPv4.
    case addressRemoved(InterfaceAddress)
    /// The socket's queue overflowed (ENOBUFS): events were lost, so the caller
    /// must re-read what it cares about through `RouteNetlink`.
    case overflow

    /// Decodes every event in one received datagram (several messages may share it).
    public static func parse(_ buffer: UnsafeRawBufferPointer, _ body: (RouteEvent) -> Void) {
        NetlinkMessage.forEach(in: buffer) { m in
            switch m.type {
            case CF_RTM_NEWLINK:
                if let i = NetworkInterface(linkPayload: m.payload) { body(.link(i)) }
            case CF_RTM_DELLINK:
                if let i = NetworkInterface(linkPayload: m.payload) { body(.linkRemoved(i)) }
            case CF_RTM_NEWADDR:
                if let a = InterfaceAddress(addressPayload: m.payload) { body(.addressAdded(a)) }
            case CF_RTM_DELADDR:
                if let a = InterfaceAddress(addressPayload: m.payload) { body(.addressRemoved(a)) }
            default:
                break
            }
        }
    }
}

/// A non-blocking NETLINK_ROUTE socket subscribed to link and IPv4 address
/// events, for an epoll loop: register `fd` for reading, then `drain` when it
/// is readable. One receive buffer is allocated once and reused.
public final class RouteEventSocket {
    /// rtnetlink multicast groups (RTMGRP_*).
    public struct Groups: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let link = Groups(rawValue: CF_RTMGRP_LINK)
        public static let ipv4Address = Groups(rawValue: CF_RTMGRP_IPV4_IFADDR)
    }

    public let fd: FileDescriptor
    private let buffer: UnsafeMutableRawBufferPointer

    /// - receiveBufferSize: SO_RCVBUF, generous so a burst of changes (a bond
    ///   flapping, many VIPs) does not overflow between two drains.
    public init(groups: Groups = [.link, .ipv4Address], bufferSize: Int = 64 << 10,
                receiveBufferSize: Int32 = 1 << 20) throws(Errno) {
        fd = FileDescriptor(try syscall { cf_netlink_route_socket(groups.rawValue, 1) })
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
        var size = receiveBufferSize
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    deinit { buffer.deallocate(); fd.close() }

    /// Reads every pending datagram and calls `body` for each event, until the
    /// socket would block. Returns the number of events delivered. An overflow
    /// is delivered as `.overflow` (and reading goes on); other errors throw.
    @discardableResult
    public func drain(_ body: (RouteEvent) -> Void) throws(Errno) -> Int {
        var count = 0
        while true {
            let n = recv(fd.rawValue, buffer.baseAddress!, buffer.count, 0)
            if n < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return count
                case ENOBUFS: body(.overflow); count += 1; continue
                default: throw Errno.current
                }
            }
            RouteEvent.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { body($0); count += 1 }
        }
    }
}
