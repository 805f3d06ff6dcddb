import CZlib
import FulcrumHTTP

public enum CompressionError: Error, Equatable, CustomStringConvertible {
    case invalidLevel(Int)
    /// deflateInit2 failed (zlib return code), normally out of memory.
    case zlibInit(Int32)

    public var description: String {
        switch self {
        case .invalidLevel(let l): return "compression level \(l) is not between 0 and 9"
        case .zlibInit(let rc): return "zlib deflateInit2 failed (code \(rc))"
        }
    }
}

/// Streams one response body at a time into chunked transfer-encoding, compressed.
///
/// One raw-deflate z_stream serves every algorithm: the gzip and zlib wrappers (header,
/// CRC-32 or Adler-32 trailer) are written here, so switching algorithm between
/// responses is a plain deflateReset that cannot fail, instead of a deflateEnd +
/// deflateInit2 that allocates. Each `compress` call ends with Z_SYNC_FLUSH, as HAProxy
/// flushes every buffer it compresses: what the server sent is never held back, which
/// matters for streamed responses. Window 15 and memLevel 8 are HAProxy's
/// tune.zlib.windowsize / memlevel defaults; level 1 is tune.comp.maxlevel's default.
/// Not thread-safe: one per worker connection slot (or per thread).
public final class ResponseCompressor {
    public private(set) var algorithm: CompressionAlgorithm
    public let level: Int
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int
    private var checksum: UInt = 0
    private var inputSize: UInt32 = 0
    private var wrapperHeaderWritten = false
    private var finished = false
    /// deflateInit2 calls made: stays 1 for the compressor's lifetime (tests check reuse).
    private(set) var streamInitCount = 0

    private static let initialScratch = 16 * 1024
    /// Scratch kept across responses; a larger one (after a big feed) is released on reset.
    private static let retainedScratch = 256 * 1024

    public init(algorithm: CompressionAlgorithm, level: Int = 1) throws {
        guard (0...9).contains(level) else { throw CompressionError.invalidLevel(level) }
        self.algorithm = algorithm
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = cz_deflate_init2(stream, Int32(level), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)
        guard rc == Z_OK else {
            stream.deallocate()
            throw CompressionError.zlibInit(rc)
        }
        streamInitCount = 1
        scratchCapacity = Self.initialScratch
        scratch = .allocate(capacity: scratchCapacity)
        resetChecksum()
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Prepares for the next response, possibly with another algorithm.
    public func reset(algorithm: CompressionAlgorithm) {
        self.algorithm = algorithm
        deflateReset(stream)
        inputSize = 0
        wrapperHeaderWritten = false
        finished = false
        resetChecksum()
        if scratchCapacity > Self.retainedScratch {
            scratch.deallocate()
            scratchCapacity = Self.initialScratch
            scratch = .allocate(capacity: scratchCapacity)
        }
    }

    /// Compresses a slice of the body and appends it to `out` as one chunk
    /// ("hex\r\n" data "\r\n"); appends nothing for an empty slice.
    public func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard input.count > 0, let base = input.baseAddress else { return }
        guard !finished else {
            assertionFailure("ResponseCompressor.compress after finish without reset")
            return
        }
        if algorithm == .identity {
            appendChunk(UnsafeRawBufferPointer(start: base, count: input.count), into: &out)
            return
        }
        updateChecksum(base, input.count)
        var produced = writeWrapperHeaderIfNeeded()
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        var remaining = input.count
        // avail_in is 32-bit: feed very large slices in parts.
        while remaining > 0 {
            let part = min(remaining, Int(UInt32.max >> 1))
            stream.pointee.avail_in = uInt(part)
            remaining -= part
            ensureScratch(produced + Int(deflateBound(stream, uLong(part))) + 16)
            produced = deflateLoop(flush: Z_SYNC_FLUSH, produced: produced)
        }
        appendChunk(UnsafeRawBufferPointer(start: scratch, count: produced), into: &out)
    }

    /// Convenience for byte arrays.
    public func compress(_ input: [UInt8], into out: inout [UInt8]) {
        input.withUnsafeBytes { compress($0, into: &out) }
    }

    /// Ends the body: the final deflate block and the gzip/zlib trailer as a last data
    /// chunk, then the last-chunk "0\r\n", `trailerFields` (raw "Name: value\r\n" lines,
    /// e.g. trailers of a chunked upstream response) and the closing "\r\n".
    public func finish(into out: inout [UInt8], trailerFields: [UInt8] = []) {
        guard !finished else {
            assertionFailure("ResponseCompressor.finish called twice without reset")
            return
        }
        finished = true
        if algorithm != .identity {
            var produced = writeWrapperHeaderIfNeeded()
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            ensureScratch(produced + 64)
            produced = deflateLoop(flush: Z_FINISH, produced: produced)
            ensureScratch(produced + 8)
            produced = writeWrapperTrailer(at: produced)
            appendChunk(UnsafeRawBufferPointer(start: scratch, count: produced), into: &out)
        }
        out.append(contentsOf: [0x30, 0x0D, 0x0A]) // "0\r\n"
        out.append(contentsOf: trailerFields)
        out.append(contentsOf: [0x0D, 0x0A])
    }

    // MARK: deflate

    /// Runs deflate until the flush completes, growing the scratch as needed.
    /// Returns the number of bytes now in the scratch.
    private func deflateLoop(flush: Int32, produced start: Int) -> Int {
        var produced = start
        while true {
            if scratchCapacity - produced < 64 { ensureScratch(scratchCapacity * 2) }
            let room = scratchCapacity - produced
            stream.pointee.next_out = scratch + produced
            stream.pointee.avail_out = uInt(room)
            let rc = deflate(stream, flush)
            produced += room - Int(stream.pointee.avail_out)
            if flush == Z_FINISH {
                if rc == Z_STREAM_END { return produced }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return produced
            }
            // Z_OK with the output full, or Z_BUF_ERROR (no progress for lack of room):
            // both mean "more room". Any other code is a misuse of a valid stream.
            precondition(rc == Z_OK || rc == Z_BUF_ERROR, "deflate failed: \(rc)")
        }
    }

    private func ensureScratch(_ needed: Int) {
        guard needed > scratchCapacity else { return }
        var capacity = scratchCapacity
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: scratch, count: scratchCapacity)
        scratch.deallocate()
        scratch = bigger
        scratchCapacity = capacity
    }

    // MARK: gzip (RFC 1952) and zlib (RFC 1950) wrappers

    private func resetChecksum() {
        switch algorithm {
        case .gzip: checksum = UInt(crc32(0, nil, 0))
        case .deflate: checksum = UInt(adler32(0, nil, 0))
        case .rawDeflate, .identity: checksum = 0
        }
    }

    private func updateChecksum(_ base: UnsafeRawPointer, _ count: Int) {
        inputSize &+= UInt32(truncatingIfNeeded: count)
        var p = base.assumingMemoryBound(to: Bytef.self)
        var left = count
        while left > 0 {
            let n = min(left, Int(UInt32.max >> 1))
            switch algorithm {
            case .gzip: checksum = UInt(crc32(uLong(checksum), p, uInt(n)))
            case .deflate: checksum = UInt(adler32(uLong(checksum), p, uInt(n)))
            case .rawDeflate, .identity: return
            }
            p += n
            left -= n
        }
    }

    /// Writes the gzip or zlib header at the start of the scratch the first time;
    /// returns how many bytes it wrote.
    private func writeWrapperHeaderIfNeeded() -> Int {
        guard !wrapperHeaderWritten else { return 0 }
        wrapperHeaderWritten = true
        switch algorithm {
        case .gzip:
            // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL OS=Unix; XFL as zlib writes it.
            let xfl: UInt8 = level == 9 ? 2 : (level < 2 ? 4 : 0)
            let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, xfl, 3]
            for (i, b) in header.enumerated() { scratch[i] = b }
            return header.count
        case .deflate:
            // CMF: deflate, 32 KiB window. FLG: FLEVEL as zlib, FCHECK so that CMF*256+FLG % 31 == 0.
            let cmf: UInt16 = 0x78
            let flevel: UInt16 = level < 2 ? 0 : (level < 6 ? 1 : (level == 6 ? 2 : 3))
            var flg = flevel << 6
            flg += 31 - ((cmf << 8 | flg) % 31)
            scratch[0] = UInt8(cmf)
            scratch[1] = UInt8(flg)
            return 2
        case .rawDeflate, .identity:
            return 0
        }
    }

    private func writeWrapperTrailer(at offset: Int) -> Int {
        switch algorithm {
        case .gzip:
            let crc = UInt32(truncatingIfNeeded: checksum)
            for i in 0..<4 { scratch[offset + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            for i in 0..<4 { scratch[offset + 4 + i] = UInt8(truncatingIfNeeded: inputSize >> (8 * UInt32(i))) }
            return offset + 8
        case .deflate:
            let adler = UInt32(truncatingIfNeeded: checksum)
            for i in 0..<4 { scratch[offset + i] = UInt8(truncatingIfNeeded: adler >> (8 * UInt32(3 - i))) }
            return offset + 4
        case .rawDeflate, .identity:
            return offset
        }
    }

    // MARK: chunk framing

    private func appendChunk(_ data: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard data.count > 0 else { return }
        out.reserveCapacity(out.count + data.count + 20)
        ChunkedEncoding.appendSizeLine(data.count, to: &out)
        out.append(contentsOf: data)
        out.append(0x0D); out.append(0x0A)
    }
}
