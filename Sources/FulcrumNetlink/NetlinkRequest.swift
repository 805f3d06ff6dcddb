import FulcrumBytes

/// A request being built: nlmsghdr, the family header, then attributes
/// (nested ones through `nest`). Requests are rare (address, route and rule
/// changes, look-ups), so a growable array is fine.
public struct NetlinkRequest {
    public private(set) var bytes: [UInt8] = []

    public init(type: UInt16, flags: UInt16, sequence: UInt32) {
        append(UInt32(0))              // length, set by `finished`
        append(type)
        append(flags | NetlinkConstants.requestFlag)
        append(sequence)
        append(UInt32(0))              // port id: the kernel fills ours in
    }

    /// Host byte order, as netlink's headers and integer attributes are.
    public mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
    public mutating func appendBytes(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    private mutating func pad() { while bytes.count % 4 != 0 { bytes.append(0) } }

    public mutating func attribute(_ type: UInt16, bytes value: [UInt8]) {
        pad()
        append(UInt16(4 + value.count))
        append(type)
        bytes.append(contentsOf: value)
        pad()
    }
    public mutating func attribute(_ type: UInt16, ipv4 address: IPv4Address) {
        attribute(type, bytes: address.octets)
    }
    public mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, bytes: Array(string.utf8) + [0])
    }
    public mutating func attribute<T: FixedWidthInteger>(_ type: UInt16, integer: T) {
        attribute(type, bytes: withUnsafeBytes(of: integer) { Array($0) })
    }

    /// An attribute holding others (IFLA_LINKINFO, RTA_METRICS): its length
    /// covers what `body` appends.
    public mutating func nest(_ type: UInt16, _ body: (inout NetlinkRequest) -> Void) {
        pad()
        let start = bytes.count
        append(UInt16(0))
        append(type)
        body(&self)
        pad()
        setLength(UInt16(bytes.count - start), at: start)
    }

    /// Bytes of a sub-structure whose length field (a UInt16 at `start`) is
    /// filled in afterwards (struct rtnexthop in RTA_MULTIPATH).
    public var count: Int { bytes.count }
    public mutating func setLength(_ n: UInt16, at offset: Int) {
        withUnsafeBytes(of: n) { bytes[offset] = $0[0]; bytes[offset + 1] = $0[1] }
    }

    /// The bytes with nlmsg_len filled in.
    public var finished: [UInt8] {
        var out = bytes
        let n = UInt32(out.count)
        withUnsafeBytes(of: n) { for i in 0..<4 { out[i] = $0[i] } }
        return out
    }
}
