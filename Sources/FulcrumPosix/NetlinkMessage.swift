import FulcrumBytes
import Glibc
import CFulcrum
@_exported import FulcrumNetlink

/// One netlink message inside a received buffer: the nlmsghdr fields and the
/// payload after it. A view: valid only while the buffer it points into is.
struct NetlinkMessage {
    static let headerSize = 16
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    var portID: UInt32
    var payload: UnsafeRawBufferPointer

    /// For NLMSG_ERROR: 0 for an acknowledgement, else the positive errno.
    var errorCode: Int32 {
        guard payload.count >= 4 else { return EPROTO }
        return -payload.loadUnaligned(fromByteOffset: 0, as: Int32.self)
    }

    /// Calls `body` for each well-formed message in `buffer`, stopping at the
    /// first truncated one (a datagram is never split across reads).
    static func forEach(in buffer: UnsafeRawBufferPointer, _ body: (NetlinkMessage) -> Void) {
        var offset = 0
        while buffer.count - offset >= headerSize {
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerSize, length <= buffer.count - offset else { return }
            let message = NetlinkMessage(
                type: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                flags: buffer.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self),
                sequence: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                portID: buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self),
                payload: UnsafeRawBufferPointer(rebasing: buffer[(offset + headerSize)..<(offset + length)]))
            body(message)
            offset += align(length)
        }
    }

    /// NLMSG_ALIGN / RTA_ALIGN: 4 bytes.
    @inline(__always) static func align(_ n: Int) -> Int { (n + 3) & ~3 }

    /// Calls `body(type, value)` for each route attribute (struct rtattr) in
    /// `attributes`, the part of a payload after the family header.
    static func forEachAttribute(in attributes: UnsafeRawBufferPointer, _ body: (UInt16, UnsafeRawBufferPointer) -> Void) {
        var offset = 0
        while attributes.count - offset >= 4 {
            let length = Int(attributes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = attributes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3FFF // NLA_TYPE_MASK
            guard length >= 4, length <= attributes.count - offset else { return }
            body(type, UnsafeRawBufferPointer(rebasing: attributes[(offset + 4)..<(offset + length)]))
            offset += align(length)
        }
    }

    /// A NUL-terminated string attribute (IFLA_IFNAME, IFA_LABEL).
    static func string(_ value: UnsafeRawBufferPointer) -> String {
        let end = value.firstIndex(of: 0) ?? value.count
        return String(decoding: UnsafeRawBufferPointer(rebasing: value[0..<end]), as: UTF8.self)
    }
}
