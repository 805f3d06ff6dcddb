/// The static table of RFC 7541 Appendix A: 61 fields every HPACK peer
/// knows, at indexes 1...61 (the dynamic table follows from 62). The
/// entries are packed into one byte array so a decoder copies a name or a
/// value with one bounds-checked slice, no String per lookup.
public enum HPACKStaticTable {
    public static let count = 61

    /// (name, value) in index order; index 1 is the first.
    static let entries: [(String, String)] = [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"),
        (":path", "/index.html"), (":scheme", "http"), (":scheme", "https"), (":status", "200"),
        (":status", "204"), (":status", "206"), (":status", "304"), (":status", "400"),
        (":status", "404"), (":status", "500"), ("accept-charset", ""), ("accept-encoding", "gzip, deflate"),
        ("accept-language", ""), ("accept-ranges", ""), ("accept", ""), ("access-control-allow-origin", ""),
        ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""),
        ("date", ""), ("etag", ""), ("expect", ""), ("expires", ""),
        ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""),
        ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""), ("last-modified", ""),
        ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""),
        ("retry-after", ""), ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""),
        ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
        ("www-authenticate", ""),
    ]

    /// Every name and value, back to back.
    @usableFromInline static let bytes: [UInt8] = entries.flatMap { Array($0.0.utf8) + Array($0.1.utf8) }

    /// Where entry i (0-based) has its name and its value in `bytes`.
    @usableFromInline static let ranges: [(name: Range<Int>, value: Range<Int>)] = {
        var offset = 0
        return entries.map { entry in
            let name = offset..<(offset + entry.0.utf8.count)
            let value = name.upperBound..<(name.upperBound + entry.1.utf8.count)
            offset = value.upperBound
            return (name, value)
        }
    }()

    /// The name of entry `index` (1...61).
    public static func name(_ index: Int) -> ArraySlice<UInt8> { bytes[ranges[index - 1].name] }
    /// The value of entry `index` (1...61).
    public static func value(_ index: Int) -> ArraySlice<UInt8> { bytes[ranges[index - 1].value] }

    /// The first entry that holds `name` with `value` (`full`), and the
    /// first that holds `name` at all (`name`), for the encoder.
    static func find(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> (full: Int?, name: Int?) {
        bytes.withUnsafeBytes { all in
            var nameIndex: Int?
            for i in 0..<count {
                let r = ranges[i]
                guard r.name.count == name.count, memcmpEqual(all, r.name.lowerBound, name) else { continue }
                if nameIndex == nil { nameIndex = i + 1 }
                if r.value.count == value.count, memcmpEqual(all, r.value.lowerBound, value) { return (i + 1, nameIndex) }
            }
            return (nil, nameIndex)
        }
    }
}

/// Whether `other` equals the bytes of `base` from `offset` (bounds checked
/// by the callers).
@inline(__always)
func memcmpEqual(_ base: UnsafeRawBufferPointer, _ offset: Int, _ other: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    while i < other.count {
        if base[offset + i] != other[i] { return false }
        i += 1
    }
    return true
}
