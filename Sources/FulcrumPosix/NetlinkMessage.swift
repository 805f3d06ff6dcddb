import FulcrumBytes
import Glibc
import CFulcrum

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

/// A request being built: nlmsghdr, the family header, then attributes.
/// Requests are rare (address changes, look-ups), so a growable array is fine.
struct NetlinkRequest {
    private(set) var bytes: [UInt8] = []

    init(type: UInt16, flags: UInt16, sequence: UInt32) {
        append(UInt32(0))              // length, set by `finished`
        append(type)
        append(flags | CF_NLM_F_REQUEST)
        append(sequence)
        append(UInt32(0))              // port id: the kernel fills ours in
    }

    mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
    mutating func appendBytes(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    private mutating func pad() { while bytes.count % 4 != 0 { bytes.append(0) } }

    mutating func attribute(_ type: UInt16, bytes value: [UInt8]) {
        pad()
        append(UInt16(4 + value.count))
        append(type)
        bytes.append(contentsOf: value)
        pad()
    }
    mutating func attribute(_ type: UInt16, ipv4 address: IPv4Address) {
        attribute(type, bytes: address.octets)
    }
    mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, bytes: Array(string.utf8) + [0])
    }

    /// The bytes with nlmsg_len filled in.
    var finished: [UInt8] {
        var out = bytes
        let n = UInt32(out.count)
        withUnsafeBytes(of: n) { for i in 0..<4 { out[i] = $0[i] } }
        return out
    }
}
