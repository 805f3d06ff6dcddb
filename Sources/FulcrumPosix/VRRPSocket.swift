import FulcrumBytes
import Glibc
import CFulcrum

/// Raw IPv4 sockets for VRRP (IP protocol 112), non-blocking and close-on-exec.
///
/// Design: one receive socket and one send socket per interface, like
/// keepalived's fd_in / fd_out pair, shared by every VRRP instance on that
/// interface (instances tell their packets apart by VRID after parsing).
/// They are two sockets, not one, because the kernel fills the source address
/// of a packet from the socket's bound address, and a raw socket bound to an
/// address only receives packets *sent to* that address, so a socket bound to
/// the interface's primary could never see adverts sent to 224.0.0.18. The
/// receive socket stays unbound (any destination: the group and unicast
/// adverts alike) and the send socket drops everything it would receive.
public enum VRRPSocket {
    /// IP protocol number of VRRP.
    public static let ipProtocol: Int32 = 112
    /// Hop limit VRRP requires on send and checks on receive (RFC 3768 5.2.3).
    public static let ttl: Int32 = 255
    /// IPPROTO_AH: keepalived's `auth_type AH` adverts travel as IP protocol 51, the AH
    /// naming VRRP as its next header (FulcrumVRRP.VRRPAuthenticationHeader).
    public static let authenticationHeaderProtocol: Int32 = 51
}

/// The receive side on one interface: bound to the device, joined to the VRRP
/// multicast group there, delivering whole IPv4 packets (header included, so
/// the caller can check TTL 255 and the destination).
public struct VRRPReceiveSocket {
    public let fd: FileDescriptor
    public let interfaceIndex: Int32
    /// 112, or 51 for the instances using `auth_type AH` (a raw socket sees one protocol).
    public let ipProtocol: Int32

    /// - multicastGroup: the group to join on the interface (nil for an
    ///   interface whose instances only use unicast peers).
    public init(interfaceName: String, interfaceIndex: Int32,
                multicastGroup: IPv4Address? = .vrrpMulticast, ipProtocol: Int32 = VRRPSocket.ipProtocol) throws(Errno) {
        let fd = FileDescriptor(try syscall { cf_socket(AF_INET, Int32(SOCK_RAW.rawValue), ipProtocol) })
        do {
            try bindToDevice(fd, interfaceName)
            // Only groups joined on *this* socket, not every group the host joined.
            try Socket.setOption(fd, Int32(IPPROTO_IP), CF_IP_MULTICAST_ALL, 0)
            if let multicastGroup {
                try syscall { cf_ip_add_membership(fd.rawValue, multicastGroup.networkOrder, interfaceIndex) }
            }
        } catch {
            fd.close()
            throw error
        }
        self.fd = fd
        self.interfaceIndex = interfaceIndex
        self.ipProtocol = ipProtocol
    }

    /// Joins another group on the interface (an instance with its own vrrp_mcast_group4). A
    /// group already joined (the next instance on the same interface) is no error.
    public func join(_ group: IPv4Address) throws(Errno) {
        if cf_ip_add_membership(fd.rawValue, group.networkOrder, interfaceIndex) == 0 || errno == EADDRINUSE { return }
        throw Errno.current
    }

    /// One packet, IPv4 header first, into `buffer`. Returns its length (cut to
    /// the buffer if longer) and the sender's address. Throws .again when none waits.
    @inline(__always)
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> (length: Int, source: IPv4Address) {
        var source: UInt32 = 0
        while true {
            let n = cf_recvfrom_ipv4(fd.rawValue, buffer.baseAddress!, buffer.count, &source)
            if n >= 0 { return (n, IPv4Address(networkOrder: source)) }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    public func close() { fd.close() }
}

/// The send side on one interface: the kernel writes the IPv4 header with TTL
/// 255, protocol 112 and the bound source address; the caller passes the VRRP
/// message only. Multicast leaves by the interface index and is not looped back.
/// With `includesHeader` (auth_type AH, whose ICV covers the IP header) the
/// socket is IP protocol 51 with IP_HDRINCL: the caller passes the whole packet,
/// as keepalived does, and the kernel fills in only the IP checksum.
public struct VRRPSendSocket {
    public let fd: FileDescriptor
    public let source: IPv4Address
    public let includesHeader: Bool

    /// - source: the interface's primary address, or unicast_src_ip. It must be
    ///   assigned locally (EADDRNOTAVAIL otherwise); when it changes, open a new one.
    public init(interfaceName: String, interfaceIndex: Int32, source: IPv4Address,
                includesHeader: Bool = false) throws(Errno) {
        let proto = includesHeader ? VRRPSocket.authenticationHeaderProtocol : VRRPSocket.ipProtocol
        let fd = FileDescriptor(try syscall { cf_socket(AF_INET, Int32(SOCK_RAW.rawValue), proto) })
        do {
            if includesHeader { try Socket.setOption(fd, Int32(IPPROTO_IP), IP_HDRINCL, 1) }
            // A raw socket gets a copy of every matching packet; this one is never read.
            try syscall { cf_attach_drop_all_filter(fd.rawValue) }
            try bindToDevice(fd, interfaceName)
            let ip = Int32(IPPROTO_IP)
            try Socket.setOption(fd, ip, IP_MULTICAST_TTL, VRRPSocket.ttl)
            try Socket.setOption(fd, ip, IP_TTL, VRRPSocket.ttl)
            try Socket.setOption(fd, ip, IP_MULTICAST_LOOP, 0)
            try syscall { cf_ip_multicast_if(fd.rawValue, interfaceIndex) }
            // As keepalived: network-control precedence, so queues favour adverts.
            try Socket.setOption(fd, ip, IP_TOS, 0xC0)
            try Socket.setOption(fd, SOL_SOCKET, SO_PRIORITY, 7)
            try syscall { cf_bind_ipv4(fd.rawValue, source.networkOrder) }
        } catch {
            fd.close()
            throw error
        }
        self.fd = fd
        self.source = source
        self.includesHeader = includesHeader
    }

    /// Sends one VRRP message (no IP header) to a multicast group or a unicast
    /// peer. Throws .again when the socket buffer is full.
    @discardableResult
    public func send(_ message: UnsafeRawBufferPointer, to destination: IPv4Address) throws(Errno) -> Int {
        while true {
            let n = cf_sendto_ipv4(fd.rawValue, message.baseAddress!, message.count, destination.networkOrder)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    public func close() { fd.close() }
}

/// SO_BINDTODEVICE: traffic of this socket only on that interface.
func bindToDevice(_ fd: FileDescriptor, _ name: String) throws(Errno) {
    try syscall {
        name.withCString { setsockopt(fd.rawValue, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
    }
}
