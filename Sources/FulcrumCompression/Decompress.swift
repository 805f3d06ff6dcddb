import CZlib

/// zlib inflation, to verify compressed output (tests) and for callers that must
/// read a compressed body. Strict: the stream must be complete and nothing may follow it.
public enum Decompress {
    /// Inflates a gzip (RFC 1952) or zlib-wrapped deflate (RFC 1950) body.
    public static func inflate(_ data: [UInt8], gzip: Bool, limit: Int = 64 << 20) -> [UInt8]? {
        inflate(data, algorithm: gzip ? .gzip : .deflate, limit: limit)
    }

    /// Inflates a body produced with `algorithm`; identity returns the data unchanged.
    /// Returns nil for a corrupt, truncated or trailing-garbage stream, or when the
    /// output would exceed `limit` bytes (a bound against decompression bombs).
    public static func inflate(_ data: [UInt8], algorithm: CompressionAlgorithm, limit: Int = 64 << 20) -> [UInt8]? {
        let windowBits: Int32
        switch algorithm {
        case .identity: return data
        case .gzip: windowBits = 31
        case .deflate: windowBits = 15
        case .rawDeflate: windowBits = -15
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard cz_inflate_init2(stream, windowBits) == Z_OK else { return nil }
        defer { inflateEnd(stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return data.withUnsafeBufferPointer { input -> [UInt8]? in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            while true {
                let (rc, produced) = chunk.withUnsafeMutableBufferPointer { buf -> (Int32, Int) in
                    stream.pointee.next_out = buf.baseAddress
                    stream.pointee.avail_out = uInt(buf.count)
                    let rc = CZlib.inflate(stream, Z_NO_FLUSH)
                    return (rc, buf.count - Int(stream.pointee.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return nil }
                switch rc {
                case Z_STREAM_END:
                    return stream.pointee.avail_in == 0 ? output : nil
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: input exhausted before the end of the stream.
                    if produced == 0 { return nil }
                default:
                    return nil
                }
            }
        }
    }
}
