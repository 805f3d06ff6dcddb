import FulcrumBytes
import FulcrumConfig
import FulcrumLog

/// One value a fetch yields, typed as HAProxy types samples (configuration
/// manual 7.1, 7.3): a boolean, a signed 64-bit integer, an IPv4/IPv6
/// address, or bytes (HAProxy's str/bin). Bytes are a slice of the message
/// the fetch read (the head's own storage), never a copy, so fetching and
/// matching allocate nothing.
public enum Sample: Sendable, Equatable {
    case bool(Bool)
    case integer(Int64)
    case address(IPAddress)
    case bytes(ArraySlice<UInt8>)
}

// MARK: casts

/// HAProxy 2.6's sample_casts matrix (src/sample.c): what a matcher or a
/// converter expecting another type gets; nil where HAProxy has no cast.
///
///     from \ to   bool        integer     address     bytes
///     bool        =           0/1         -           "0"/"1"
///     integer     != 0        =           IPv4 (low   decimal
///                                         32 bits)
///     address     -           IPv4 only   =           text (inet_ntop)
///     bytes       str2int     str2int     IPv4, then  =
///                 != 0                    IPv6 text
extension Sample {
    /// The integer cast (c_str2int on bytes: optional sign then leading
    /// digits, nothing for empty bytes; c_ip2int on an IPv4 address).
    public var integer: Int64? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .integer(let i): return i
        case .address(.v4(let a)): return Int64(a.value)
        case .address(.v6): return nil
        case .bytes(let b): return Sample.leadingInteger(b)
        }
    }

    /// The boolean cast: integers and bytes through their integer value.
    public var boolean: Bool? {
        switch self {
        case .bool(let b): return b
        case .integer(let i): return i != 0
        case .address: return nil
        case .bytes(let b): return Sample.leadingInteger(b).map { $0 != 0 }
        }
    }

    /// The address cast (c_int2ip, c_str2addr).
    public var address: IPAddress? {
        switch self {
        case .bool: return nil
        case .integer(let i): return .v4(IPv4Address(UInt32(truncatingIfNeeded: i)))
        case .address(let a): return a
        case .bytes(let b): return IPAddress(ascii: b)
        }
    }

    /// Calls `body` with the bytes cast (c_int2str, c_ip2str, ...): bytes as
    /// they are, other types written as text in stack memory.
    @inlinable
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch self {
        case .bytes(let b):
            return try b.withUnsafeBufferPointer(body)
        case .address(let a):
            return try a.withText(body)
        case .bool(let v):
            return try Sample.integer(v ? 1 : 0).withBytes(body)
        case .integer(let i):
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalText.maximumLength) { buf in
                let n = DecimalText.write(i, to: buf.baseAddress!)
                return try body(UnsafeBufferPointer(start: buf.baseAddress!, count: n))
            }
        }
    }

    /// Length of the bytes cast (what `-m len` and log-format sizing need).
    public var byteCount: Int { withBytes { $0.count } }

    /// Appends the bytes cast to `out` (log-format expansion).
    public func append(to out: inout [UInt8]) { withBytes { out.append(contentsOf: $0) } }

    /// Appends the sample as its converters read it: text, or the binary form
    /// (HAProxy's cast to bin) when the first one is `hex` or `base64`.
    public func append(binary: Bool, to out: inout [UInt8]) {
        guard binary else { append(to: &out); return }
        switch self {
        case .bool(let b): LogSampleConverter.appendBinary(b ? 1 : 0, to: &out)
        case .integer(let i): LogSampleConverter.appendBinary(i, to: &out)
        case .address(let a): LogSampleConverter.appendBinary(a, to: &out)
        case .bytes(let b): out.append(contentsOf: b)
        }
    }

    /// The bytes cast as a String: diagnostics and tests, not the request path.
    public var text: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// HAProxy's read_int64 as c_str2int uses it: an optional sign, then the
    /// leading decimal digits (none: 0); nil only for empty bytes.
    static func leadingInteger<C: Collection>(_ s: C) -> Int64? where C.Element == UInt8 {
        var it = s.makeIterator()
        guard var c = it.next() else { return nil }
        var negative = false
        if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            guard let n = it.next() else { return 0 }
            c = n
        }
        var v: Int64 = 0
        while ASCII.isDigit(c) {
            v = v &* 10 &+ Int64(c - 48)
            guard let n = it.next() else { break }
            c = n
        }
        return negative ? -v : v
    }
}
