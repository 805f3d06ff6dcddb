import FulcrumBytes

/// The PROXY protocol header a `bind ... accept-proxy` connection starts
/// with (haproxy's doc/proxy-protocol.txt, v1 text and v2 binary), decoded
/// from the bytes peeked at the socket as HAProxy's conn_recv_proxy does:
/// the whole header is expected in what was received (it fits in one
/// segment), so a header cut short is an error, not a wait. Pure, no
/// allocation: the result is a value with the addresses and the number of
/// bytes to consume; the proxied bytes that follow are left alone.
public struct ProxyProtocolHeader: Equatable, Sendable {
    public var version: Int
    /// How many bytes the header takes (to be consumed from the socket).
    public var length: Int
    /// The carried endpoints; nil for LOCAL, UNKNOWN and the families HAProxy
    /// does not take addresses from (UDP, UNIX, UNSPEC): the connection's own
    /// addresses stay.
    public var source: IPAddress?
    public var sourcePort: Int
    public var destination: IPAddress?
    public var destinationPort: Int

    public init(version: Int, length: Int, source: IPAddress? = nil, sourcePort: Int = 0,
                destination: IPAddress? = nil, destinationPort: Int = 0) {
        self.version = version; self.length = length
        self.source = source; self.sourcePort = sourcePort
        self.destination = destination; self.destinationPort = destinationPort
    }

    /// The v2 signature: CR LF CR LF NUL CR LF "QUIT" LF.
    public static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// The longest v1 line the specification allows (TCP6 with the longest
    /// addresses and ports, CRLF included).
    public static let v1MaximumLength = 107
    /// HAProxy's limits on two TLVs it keeps (authority, unique id).
    static let authorityMaximum = 255
    static let uniqueIDMaximum = 128
}

/// Why a PROXY header was refused, with HAProxy's connection error texts
/// (conn_err_code_str), which its log line for the connection carries.
public enum ProxyProtocolError: Error, Equatable, Sendable {
    /// The peer closed before sending anything.
    case empty
    /// A prefix of a header, cut before its end.
    case truncated
    /// Neither "PROXY " nor the v2 signature.
    case notHeader
    /// A header that breaks the grammar (or a v1 line longer than 107 bytes,
    /// a bad TLV, a wrong CRC32C).
    case badHeader
    /// v1 with a protocol other than TCP4, TCP6 or UNKNOWN.
    case badProtocol
    /// The connection failed while waiting.
    case abort
    /// `timeout client` (HAProxy: `timeout client`) ran out while waiting.
    case timeout

    public var message: String {
        switch self {
        case .empty: return "Connection closed while waiting for PROXY protocol header"
        case .abort: return "Connection error while waiting for PROXY protocol header"
        case .timeout: return "Timeout while waiting for PROXY protocol header"
        case .truncated: return "Truncated PROXY protocol header received"
        case .notHeader: return "Received something which does not look like a PROXY protocol header"
        case .badHeader: return "Received an invalid PROXY protocol header"
        case .badProtocol: return "Received an unhandled protocol in the PROXY protocol header"
        }
    }

    /// `option dontlognull` does not log these (HAProxy: nothing was transferred).
    public var isNull: Bool { self == .empty || self == .abort }
}

extension ProxyProtocolHeader {
    /// Decodes the header at the start of `bytes` into `header`. On an error
    /// `header` keeps the addresses taken before it, as HAProxy's session
    /// does (a v2 header whose TLVs are bad logs the carried client).
    public static func decode(_ bytes: UnsafeRawBufferPointer, into header: inout ProxyProtocolHeader) -> ProxyProtocolError? {
        header = ProxyProtocolHeader(version: 0, length: 0)
        switch decode(bytes) {
        case .success(let h): header = h; return nil
        case .failure(let e):
            if case .badHeader = e, bytes.count >= 16, bytes[12] == 0x21 {
                // v2 PROXY whose addresses were read before the TLVs failed.
                if bytes[13] == 0x11, Int(bytes[14]) << 8 | Int(bytes[15]) >= 12, bytes.count >= 28 {
                    header.source = .v4(IPv4Address(networkBytes: bytes, offset: 16))
                    header.destination = .v4(IPv4Address(networkBytes: bytes, offset: 20))
                    header.sourcePort = Int(bytes[24]) << 8 | Int(bytes[25])
                    header.destinationPort = Int(bytes[26]) << 8 | Int(bytes[27])
                } else if bytes[13] == 0x21, Int(bytes[14]) << 8 | Int(bytes[15]) >= 36, bytes.count >= 52 {
                    header.source = .v6(IPv6Address(networkBytes: bytes, offset: 16))
                    header.destination = .v6(IPv6Address(networkBytes: bytes, offset: 32))
                    header.sourcePort = Int(bytes[48]) << 8 | Int(bytes[49])
                    header.destinationPort = Int(bytes[50]) << 8 | Int(bytes[51])
                }
            }
            return e
        }
    }

    /// Decodes the header at the start of `bytes` (all that was received).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<ProxyProtocolHeader, ProxyProtocolError> {
        if bytes.isEmpty { return .failure(.empty) }
        // As HAProxy: fewer bytes than it takes to tell the version apart is a cut header.
        if bytes.count < 6 { return .failure(.truncated) }
        if startsWith(bytes, "PROXY ") { return decodeV1(bytes) }
        return decodeV2(bytes)
    }

    @inline(__always)
    static func startsWith(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard bytes.count - offset >= n else { return false }
        let p = text.utf8Start
        for i in 0..<n where bytes[offset + i] != p[i] { return false }
        return true
    }

    // MARK: v1

    /// "PROXY" SP ("TCP4" | "TCP6") SP SRC SP DST SP SPORT SP DPORT CRLF, or
    /// "PROXY UNKNOWN" ... CRLF. Exactly one space between fields.
    static func decodeV1(_ bytes: UnsafeRawBufferPointer) -> Result<ProxyProtocolHeader, ProxyProtocolError> {
        // The line ends at the first LF within 107 bytes.
        let limit = min(bytes.count, v1MaximumLength)
        var lf = -1
        for i in 0..<limit where bytes[i] == 0x0A { lf = i; break }
        if lf < 0 { return .failure(bytes.count >= v1MaximumLength ? .badHeader : .truncated) }
        guard lf >= 1, bytes[lf - 1] == 0x0D else { return .failure(.badHeader) }
        let end = lf - 1   // the CR
        let length = lf + 1
        var i = 6
        if startsWith(bytes, at: i, "UNKNOWN") {
            // HAProxy takes "UNKNOWN\r\n" only (addresses after it are an unhandled protocol).
            guard i + 7 == end else { return .failure(.badProtocol) }
            return .success(ProxyProtocolHeader(version: 1, length: length))
        }
        let v6: Bool
        if startsWith(bytes, at: i, "TCP4 ") { v6 = false } else if startsWith(bytes, at: i, "TCP6 ") { v6 = true } else {
            return .failure(.badProtocol)
        }
        i += 5
        // Four fields separated by single spaces, up to the CR.
        var bounds: (s0: Int, e0: Int, s1: Int, e1: Int, s2: Int, e2: Int, s3: Int, e3: Int) = (i, 0, 0, 0, 0, 0, 0, 0)
        var field = 0
        var j = i
        while j < end {
            if bytes[j] == 0x20 {
                switch field {
                case 0: bounds.e0 = j; bounds.s1 = j + 1
                case 1: bounds.e1 = j; bounds.s2 = j + 1
                case 2: bounds.e2 = j; bounds.s3 = j + 1
                default: return .failure(.badHeader)
                }
                field += 1
            }
            j += 1
        }
        guard field == 3 else { return .failure(.badHeader) }
        bounds.e3 = end
        let src = bytes[bounds.s0..<bounds.e0], dst = bytes[bounds.s1..<bounds.e1]
        guard let sport = port(bytes[bounds.s2..<bounds.e2]), let dport = port(bytes[bounds.s3..<bounds.e3]) else {
            return .failure(.badHeader)
        }
        let source: IPAddress, destination: IPAddress
        if v6 {
            guard let s = IPv6Address(ascii: src), let d = IPv6Address(ascii: dst) else { return .failure(.badHeader) }
            source = .v6(s); destination = .v6(d)
        } else {
            guard let s = IPv4Address(ascii: src), let d = IPv4Address(ascii: dst) else { return .failure(.badHeader) }
            source = .v4(s); destination = .v4(d)
        }
        return .success(ProxyProtocolHeader(version: 1, length: length, source: source, sourcePort: sport,
                                            destination: destination, destinationPort: dport))
    }

    /// A decimal port 0-65535, 1 to 5 digits.
    static func port(_ digits: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !digits.isEmpty, digits.count <= 5 else { return nil }
        var n = 0
        for d in digits {
            guard d >= 0x30 && d <= 0x39 else { return nil }
            n = n * 10 + Int(d - 0x30)
        }
        return n <= 65535 ? n : nil
    }

    // MARK: v2

    /// 12-byte signature, version/command, family/protocol, 16-bit length,
    /// the addresses of the family, then TLVs up to the length.
    static func decodeV2(_ bytes: UnsafeRawBufferPointer) -> Result<ProxyProtocolHeader, ProxyProtocolError> {
        let headerLength = 16
        if bytes.count < headerLength { return .failure(.truncated) }
        for i in 0..<12 where bytes[i] != v2Signature[i] { return .failure(.notHeader) }
        let versionCommand = bytes[12]
        guard versionCommand & 0xF0 == 0x20 else { return .failure(.notHeader) }
        let declared = Int(bytes[14]) << 8 | Int(bytes[15])
        let total = headerLength + declared
        if bytes.count < total { return .failure(.truncated) }
        switch versionCommand & 0x0F {
        case 0x00:   // LOCAL: the connection's own addresses stay; whatever follows is skipped.
            return .success(ProxyProtocolHeader(version: 2, length: total))
        case 0x01:
            break
        default:
            return .failure(.badHeader)
        }
        var header = ProxyProtocolHeader(version: 2, length: total)
        var tlvOffset: Int
        switch bytes[13] {
        case 0x11:   // TCP over IPv4: 4 + 4 + 2 + 2
            guard declared >= 12 else { return .failure(.badHeader) }
            header.source = .v4(IPv4Address(networkBytes: bytes, offset: 16))
            header.destination = .v4(IPv4Address(networkBytes: bytes, offset: 20))
            header.sourcePort = Int(bytes[24]) << 8 | Int(bytes[25])
            header.destinationPort = Int(bytes[26]) << 8 | Int(bytes[27])
            tlvOffset = 28
        case 0x21:   // TCP over IPv6: 16 + 16 + 2 + 2
            guard declared >= 36 else { return .failure(.badHeader) }
            header.source = .v6(IPv6Address(networkBytes: bytes, offset: 16))
            header.destination = .v6(IPv6Address(networkBytes: bytes, offset: 32))
            header.sourcePort = Int(bytes[48]) << 8 | Int(bytes[49])
            header.destinationPort = Int(bytes[50]) << 8 | Int(bytes[51])
            tlvOffset = 52
        default:
            // UDP, UNIX, UNSPEC: HAProxy keeps the connection's addresses.
            return .success(header)
        }
        // TLVs: type, 16-bit length, value; each must end within the header.
        // Known ones are checked as HAProxy checks them, the rest skipped.
        while tlvOffset < total {
            guard tlvOffset + 3 <= total else { return .failure(.badHeader) }
            let type = bytes[tlvOffset]
            let length = Int(bytes[tlvOffset + 1]) << 8 | Int(bytes[tlvOffset + 2])
            let value = tlvOffset + 3
            tlvOffset = value + length
            guard tlvOffset <= total else { return .failure(.badHeader) }
            switch type {
            case 0x03:   // PP2_TYPE_CRC32C over the whole header, this value as zeros
                guard length == 4 else { return .failure(.badHeader) }
                let carried = UInt32(bytes[value]) << 24 | UInt32(bytes[value + 1]) << 16
                    | UInt32(bytes[value + 2]) << 8 | UInt32(bytes[value + 3])
                guard CRC32C.checksum(bytes, count: total, zeroing: value..<(value + 4)) == carried else {
                    return .failure(.badHeader)
                }
            case 0x02:   // PP2_TYPE_AUTHORITY
                if length > authorityMaximum { return .failure(.badHeader) }
            case 0x05:   // PP2_TYPE_UNIQUE_ID
                if length > uniqueIDMaximum { return .failure(.badHeader) }
            default:
                break
            }
        }
        return .success(header)
    }
}

/// CRC-32C (Castagnoli, reflected 0x82F63B78), the checksum a v2 header's
/// PP2_TYPE_CRC32C TLV carries.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The checksum of the first `count` bytes, with the bytes in `zeroing` read as 0.
    static func checksum(_ bytes: UnsafeRawBufferPointer, count: Int, zeroing: Range<Int> = 0..<0) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for i in 0..<count {
                let b = zeroing.contains(i) ? 0 : bytes[i]
                crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
