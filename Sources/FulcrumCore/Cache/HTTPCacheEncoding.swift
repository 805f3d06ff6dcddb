import FulcrumBytes
import FulcrumHTTP

/// HAProxy's encoding bitmap (cache.c's vary_encoding).
public enum HTTPCacheEncoding {
    public static let gzip: UInt32 = 1 << 0, deflate: UInt32 = 1 << 1, br: UInt32 = 1 << 2, compress: UInt32 = 1 << 3
    public static let aes128gcm: UInt32 = 1 << 4, exi: UInt32 = 1 << 5, pack200: UInt32 = 1 << 6, zstd: UInt32 = 1 << 7
    public static let identity: UInt32 = 1 << 8, star: UInt32 = 1 << 9, other: UInt32 = 1 << 10

    /// The names HAProxy knows, by first letter (cache.c's parse_encoding_value).
    static let names: [UInt8: [(String, UInt32)]] = [
        UInt8(ascii: "a"): [("aes128gcm", aes128gcm)], UInt8(ascii: "b"): [("br", br)],
        UInt8(ascii: "c"): [("compress", compress)], UInt8(ascii: "d"): [("deflate", deflate)],
        UInt8(ascii: "e"): [("exi", exi)], UInt8(ascii: "g"): [("gzip", gzip)],
        UInt8(ascii: "i"): [("identity", identity)], UInt8(ascii: "p"): [("pack200-gzip", pack200)],
        UInt8(ascii: "x"): [("x-gzip", gzip), ("x-compress", compress)], UInt8(ascii: "z"): [("zstd", zstd)],
        UInt8(ascii: "*"): [("*", star)],
    ]

    /// One list element: its bit and whether its weight is exactly `q=0`.
    /// As HAProxy: an unknown first letter (or junk after a known name) is
    /// an error (nil); a known letter without its name is bit 0.
    static func parse(_ value: ArraySlice<UInt8>) -> (bit: UInt32, rejected: Bool)? {
        guard let first = value.first, let candidates = names[first] else { return nil }
        guard let (name, bit) = candidates.first(where: { value.starts(with: $0.0.utf8) }) else { return (0, false) }
        var rest = value.dropFirst(name.utf8.count).drop(while: ASCII.isSPHT)
        if rest.isEmpty { return (bit, false) }
        guard rest.first == UInt8(ascii: ";") else { return nil }
        rest = rest.dropFirst().drop(while: ASCII.isSPHT)
        return (bit, rest.elementsEqual("q=0".utf8))
    }

    /// The encodings a request accepts (cache.c's accept_encoding_normalizer);
    /// nil with 16 values or more (HAProxy then builds no key).
    public static func acceptedBitmap(_ head: HTTPHead) -> UInt32? {
        var bitmap = identity
        var blocked = UInt32.max
        var count = 0
        for field in head.fieldValues(named: "accept-encoding") {
            for element in field.listElements() {
                guard count < 16 else { break }
                count += 1
                if element.isEmpty { continue }
                if let (bit, rejected) = parse(ArraySlice(element.map(ASCII.lower))) {
                    if rejected { blocked &= ~bit } else { bitmap |= bit }
                } else {
                    bitmap |= other
                }
            }
        }
        if bitmap & star != 0 { bitmap = .max }
        bitmap &= blocked
        if count == 0 { bitmap = .max }
        if count == 16 { return nil }
        return bitmap
    }

    /// A response's Content-Encoding as a bitmap; nil for an unknown one.
    public static func responseBitmap(_ head: HTTPHead) -> UInt32? {
        var bitmap: UInt32 = 0
        for field in head.fieldValues(named: "content-encoding") {
            for element in field.listElements() {
                guard let (bit, _) = parse(element) else { return nil }
                bitmap |= bit
            }
        }
        return bitmap == 0 ? identity : bitmap
    }
}
