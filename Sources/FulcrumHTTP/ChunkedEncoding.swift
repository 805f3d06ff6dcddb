/// Writing chunked framing (RFC 9112 §7.1): the one encoder both the
/// re-chunking forwarder and the compressor use, so neither formats a size
/// through String on the body path.
public enum ChunkedEncoding {
    /// The zero-size chunk and the empty trailer section that end a body.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    public static let crlf: [UInt8] = [0x0D, 0x0A]

    /// Appends `size` in lower-case hex followed by CRLF: a chunk's size line.
    public static func appendSizeLine(_ size: Int, to out: inout [UInt8]) {
        var shift = 60
        while shift > 0 && (size >> shift) & 0xF == 0 { shift -= 4 }
        while shift >= 0 {
            let digit = UInt8((size >> shift) & 0xF)
            out.append(digit < 10 ? 0x30 + digit : 0x57 + digit)  // 0-9, a-f
            shift -= 4
        }
        out.append(0x0D); out.append(0x0A)
    }
}
