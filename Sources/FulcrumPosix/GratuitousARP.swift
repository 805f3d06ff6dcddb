import FulcrumBytes
import Glibc
import CFulcrum

/// Sends gratuitous ARP requests, so neighbours and switches learn that a
/// virtual address now lives behind this node's MAC. One AF_PACKET socket
/// serves every interface (the interface is chosen per frame); it is opened
/// with protocol 0, so it receives nothing.
///
/// The frame is keepalived 2.2.7's, byte for byte (checked with tcpdump):
/// Ethernet broadcast from the interface MAC, ethertype ARP; ARP request
/// (op 1) for Ethernet/IPv4 with sender MAC = interface MAC, sender IP =
/// target IP = the address, target MAC ff:ff:ff:ff:ff:ff; 42 bytes, which the
/// driver pads to the Ethernet minimum.
public struct GratuitousARP {
    public static let frameLength = 42
    public let fd: FileDescriptor

    public init() throws(Errno) {
        fd = FileDescriptor(try syscall { cf_socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0) })
    }

    /// Announces `address` out of interface `interfaceIndex` whose MAC is `mac`.
    public func send(announcing address: IPv4Address, interfaceIndex: Int32, mac: MACAddress) throws(Errno) {
        try withUnsafeTemporaryAllocation(byteCount: Self.frameLength, alignment: 2) { (frame) throws(Errno) in
            Self.build(into: frame, address: address, mac: mac)
            while cf_packet_send(fd.rawValue, interfaceIndex, frame.baseAddress!, frame.count) < 0 {
                if errno != EINTR { throw Errno.current }
            }
        }
    }

    /// The frame `send` puts on the wire.
    public static func frame(announcing address: IPv4Address, mac: MACAddress) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: frameLength)
        out.withUnsafeMutableBytes { build(into: $0, address: address, mac: mac) }
        return out
    }

    static func build(into f: UnsafeMutableRawBufferPointer, address: IPv4Address, mac: MACAddress) {
        // Ethernet: destination, source, type.
        MACAddress.broadcast.store(into: f, at: 0)
        mac.store(into: f, at: 6)
        f.storeBytes(of: UInt16(0x0806).bigEndian, toByteOffset: 12, as: UInt16.self)  // ETHERTYPE_ARP
        // ARP header: hardware Ethernet, protocol IPv4, lengths 6 and 4, op request.
        f.storeBytes(of: UInt16(1).bigEndian, toByteOffset: 14, as: UInt16.self)       // ARPHRD_ETHER
        f.storeBytes(of: UInt16(0x0800).bigEndian, toByteOffset: 16, as: UInt16.self)  // ETHERTYPE_IP
        f[18] = 6
        f[19] = 4
        f.storeBytes(of: UInt16(1).bigEndian, toByteOffset: 20, as: UInt16.self)       // ARPOP_REQUEST
        mac.store(into: f, at: 22)                                                      // sender MAC
        f.storeBytes(of: address.networkOrder, toByteOffset: 28, as: UInt32.self)       // sender IP
        MACAddress.broadcast.store(into: f, at: 32)                                     // target MAC
        f.storeBytes(of: address.networkOrder, toByteOffset: 38, as: UInt32.self)       // target IP
    }

    public func close() { fd.close() }
}
