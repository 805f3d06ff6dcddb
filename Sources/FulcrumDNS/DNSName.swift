/// Domain names on the wire (RFC 1035 4.1.4): labels of at most 63 bytes,
/// 255 bytes in all, and compression pointers when read. Names are kept as
/// lower-cased dotted text without the final dot, so a response's names
/// compare with the query's however the server cased them.
public enum DNSName {
    /// Appends `name` ("a.example.com", a trailing dot allowed) as labels;
    /// nil when a label is empty or too long, or the name exceeds 255 bytes.
    public static func encode(_ name: String, into out: inout [UInt8]) -> Bool {
        var text = Array(name.utf8)
        if text.last == UInt8(ascii: ".") { text.removeLast() }
        if text.isEmpty { out.append(0); return true }
        var wire: [UInt8] = []
        for label in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63 else { return false }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= 255 else { return false }
        out.append(contentsOf: wire)
        return true
    }

    /// Reads the name at `offset`, following compression pointers (each must
    /// point before the label that holds it, so a loop cannot form); returns
    /// the name and the offset just after it in the record (after the first
    /// pointer when there is one).
    public static func decode(_ message: [UInt8], at offset: Int) -> (name: String, next: Int)? {
        var bytes: [UInt8] = []
        var position = offset
        var next: Int? = nil
        var floor = offset          // a pointer must go strictly below this
        var total = 0
        while true {
            guard position < message.count else { return nil }
            let length = Int(message[position])
            switch length & 0xC0 {
            case 0:
                if length == 0 {
                    let name = String(decoding: bytes, as: UTF8.self)
                    return (name, next ?? position + 1)
                }
                guard position + 1 + length <= message.count else { return nil }
                total += length + 1
                guard total <= 255 else { return nil }
                if !bytes.isEmpty { bytes.append(UInt8(ascii: ".")) }
                for b in message[(position + 1)..<(position + 1 + length)] {
                    bytes.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                }
                position += 1 + length
            case 0xC0:
                guard position + 1 < message.count else { return nil }
                let target = (length & 0x3F) << 8 | Int(message[position + 1])
                if next == nil { next = position + 2 }
                guard target < floor else { return nil }
                floor = target
                position = target
            default:
                return nil  // 0x40 / 0x80: extended label types, refused
            }
        }
    }

    /// Lower-cased, without a trailing dot: the form names are compared in.
    public static func canonical(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        return n
    }
}
