/// Strict chunked transfer-coding decoder for checking the compressor's framing.
struct ChunkedBody {
    var payload: [UInt8] = []
    var chunkSizes: [Int] = []
    var trailer: [UInt8] = []

    /// nil when the framing is invalid or anything follows the final CRLF.
    static func decode(_ bytes: [UInt8]) -> ChunkedBody? {
        var result = ChunkedBody()
        var i = 0
        func crlf(_ at: Int) -> Bool { at + 1 < bytes.count && bytes[at] == 0x0D && bytes[at + 1] == 0x0A }
        while true {
            var size = 0
            var digits = 0
            while i < bytes.count, let d = hexValue(bytes[i]) {
                size = size * 16 + d; digits += 1; i += 1
                if digits > 15 { return nil }
            }
            guard digits > 0, crlf(i) else { return nil }
            i += 2
            if size == 0 { break }
            guard i + size <= bytes.count else { return nil }
            result.payload.append(contentsOf: bytes[i..<(i + size)])
            result.chunkSizes.append(size)
            i += size
            guard crlf(i) else { return nil }
            i += 2
        }
        // Trailer fields, then the empty line.
        while !crlf(i) {
            guard let end = (i..<bytes.count).first(where: { crlf($0) }) else { return nil }
            result.trailer.append(contentsOf: bytes[i..<(end + 2)])
            i = end + 2
        }
        return i + 2 == bytes.count ? result : nil
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        default: return nil
        }
    }
}
