import XCTest
import CZlib
import Glibc
@testable import FulcrumCompression

final class ResponseCompressorTests: XCTestCase {
    static let compressing: [CompressionAlgorithm] = [.gzip, .deflate, .rawDeflate]

    /// Deterministic generator so failures reproduce.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix64(state: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    }

    static func repetitiveBytes(_ count: Int) -> [UInt8] {
        let line = Array("<li class=\"item\">Fulcrum replaces HAProxy</li>\n".utf8)
        return (0..<count).map { line[$0 % line.count] }
    }

    /// Compresses `body` fed in slices of the given sizes (cycled), returns the wire bytes.
    func wire(_ body: [UInt8], _ algorithm: CompressionAlgorithm, slices: [Int],
              compressor: ResponseCompressor? = nil) throws -> (bytes: [UInt8], calls: Int) {
        let c = try compressor ?? ResponseCompressor(algorithm: algorithm)
        var out: [UInt8] = []
        var offset = 0, k = 0, calls = 0
        body.withUnsafeBytes { raw in
            while offset < body.count {
                let n = min(slices[k % slices.count], body.count - offset)
                c.compress(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)]), into: &out)
                offset += n; k += 1; calls += 1
            }
        }
        c.finish(into: &out)
        return (out, calls)
    }

    func assertRoundTrip(_ body: [UInt8], _ algorithm: CompressionAlgorithm, slices: [Int],
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let (bytes, calls) = try wire(body, algorithm, slices: slices)
        guard let chunked = ChunkedBody.decode(bytes) else {
            return XCTFail("invalid chunked framing for \(algorithm)", file: file, line: line)
        }
        // One chunk per non-empty feed (sync flush) plus the closing data chunk.
        XCTAssertEqual(chunked.chunkSizes.count, algorithm == .identity ? calls : calls + 1,
                       "\(algorithm)", file: file, line: line)
        let inflated = Decompress.inflate(chunked.payload, algorithm: algorithm)
        XCTAssertEqual(inflated, body, "\(algorithm) round trip", file: file, line: line)
    }

    func testRoundTripRandomAndRepetitiveInSmallAndBigFeeds() throws {
        let random = Self.randomBytes(200_000, seed: 42)
        let repetitive = Self.repetitiveBytes(300_000)
        for algorithm in Self.compressing + [.identity] {
            try assertRoundTrip(random, algorithm, slices: [1, 7, 100, 1500, 4096, 333])
            try assertRoundTrip(random, algorithm, slices: [random.count])
            try assertRoundTrip(repetitive, algorithm, slices: [17, 8192, 1])
            try assertRoundTrip(repetitive, algorithm, slices: [repetitive.count])
        }
    }

    func testRepetitiveDataShrinks() throws {
        let body = Self.repetitiveBytes(100_000)
        for algorithm in Self.compressing {
            let (bytes, _) = try wire(body, algorithm, slices: [16384])
            XCTAssertLessThan(bytes.count, body.count / 10, "\(algorithm)")
        }
    }

    func testWrapperFormats() throws {
        let body = Array("hello".utf8)
        let gzip = ChunkedBody.decode(try wire(body, .gzip, slices: [5]).bytes)!.payload
        XCTAssertEqual(Array(gzip.prefix(4)), [0x1F, 0x8B, 8, 0])
        XCTAssertEqual(gzip[9], 3)
        XCTAssertEqual(Array(gzip.suffix(4)), [5, 0, 0, 0], "ISIZE")
        let zlib = ChunkedBody.decode(try wire(body, .deflate, slices: [5]).bytes)!.payload
        XCTAssertEqual(Array(zlib.prefix(2)), [0x78, 0x01])
        XCTAssertEqual(Array(zlib.suffix(4)), [0x06, 0x2C, 0x02, 0x15], "Adler-32 of hello, big-endian")
        let raw = ChunkedBody.decode(try wire(body, .rawDeflate, slices: [5]).bytes)!.payload
        XCTAssertNotEqual(raw.first, 0x1F)
        XCTAssertNil(Decompress.inflate(raw, algorithm: .gzip))
        XCTAssertEqual(Decompress.inflate(raw, algorithm: .rawDeflate), body)
    }

    func testZlibHeaderCheckForEveryLevel() throws {
        for level in 0...9 {
            let c = try ResponseCompressor(algorithm: .deflate, level: level)
            var out: [UInt8] = []
            c.compress(Self.repetitiveBytes(1000), into: &out)
            c.finish(into: &out)
            let payload = ChunkedBody.decode(out)!.payload
            XCTAssertEqual((Int(payload[0]) << 8 | Int(payload[1])) % 31, 0, "level \(level)")
            XCTAssertEqual(Decompress.inflate(payload, gzip: false), Self.repetitiveBytes(1000), "level \(level)")
        }
        XCTAssertThrowsError(try ResponseCompressor(algorithm: .gzip, level: 10)) {
            XCTAssertEqual($0 as? CompressionError, .invalidLevel(10))
        }
    }

    func testEmptyBody() throws {
        for algorithm in Self.compressing {
            let c = try ResponseCompressor(algorithm: algorithm)
            var out: [UInt8] = []
            c.compress(UnsafeRawBufferPointer(start: nil, count: 0), into: &out)
            XCTAssertEqual(out, [], "empty slices produce no chunk")
            c.finish(into: &out)
            let chunked = try XCTUnwrap(ChunkedBody.decode(out))
            XCTAssertEqual(chunked.chunkSizes.count, 1, "\(algorithm): one closing chunk")
            XCTAssertEqual(Decompress.inflate(chunked.payload, algorithm: algorithm), [], "\(algorithm)")
        }
        let identity = try ResponseCompressor(algorithm: .identity)
        var out: [UInt8] = []
        identity.finish(into: &out)
        XCTAssertEqual(out, Array("0\r\n\r\n".utf8))
    }

    func testExactFramingAndTrailers() throws {
        let c = try ResponseCompressor(algorithm: .identity)
        var out: [UInt8] = []
        c.compress(Array(repeating: UInt8(ascii: "a"), count: 26), into: &out)
        c.finish(into: &out, trailerFields: Array("X-Sum: 1\r\n".utf8))
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "1a\r\n" + String(repeating: "a", count: 26) + "\r\n0\r\nX-Sum: 1\r\n\r\n")
        let g = try ResponseCompressor(algorithm: .gzip)
        out = []
        g.compress(Self.randomBytes(70_000, seed: 7), into: &out)
        g.finish(into: &out, trailerFields: Array("X-A: b\r\n".utf8))
        let chunked = try XCTUnwrap(ChunkedBody.decode(out))
        XCTAssertEqual(chunked.trailer, Array("X-A: b\r\n".utf8))
        XCTAssertEqual(Decompress.inflate(chunked.payload, gzip: true), Self.randomBytes(70_000, seed: 7))
    }

    /// Each compress call flushes: what was fed so far decodes from what was emitted so far.
    func testEachFeedIsFlushed() throws {
        let first = Array("first part of a streamed response ".utf8)
        let c = try ResponseCompressor(algorithm: .rawDeflate)
        var out: [UInt8] = []
        c.compress(first, into: &out)
        let emitted = try XCTUnwrap(ChunkedBody.decode(out + Array("0\r\n\r\n".utf8))).payload
        XCTAssertEqual(partialRawInflate(emitted), first)
    }

    func testReuseAcrossAlgorithmsWithoutReinitOrGrowth() throws {
        // AddressSanitizer's quarantine keeps freed memory: resident memory says nothing there.
        try XCTSkipIf(dlsym(nil, "__asan_init") != nil, "measured without AddressSanitizer only")
        let c = try ResponseCompressor(algorithm: .gzip)
        let algorithms: [CompressionAlgorithm] = [.gzip, .deflate, .rawDeflate, .identity]
        let start = Date()
        var baseline = 0
        for i in 0..<1000 {
            let algorithm = algorithms[i % algorithms.count]
            c.reset(algorithm: algorithm)
            let body = i % 2 == 0 ? Self.repetitiveBytes(300 + i) : Self.randomBytes(200 + i % 50, seed: UInt64(i))
            var out: [UInt8] = []
            c.compress(body, into: &out)
            c.finish(into: &out)
            let payload = try XCTUnwrap(ChunkedBody.decode(out)?.payload, "response \(i)")
            XCTAssertEqual(Decompress.inflate(payload, algorithm: algorithm), body, "response \(i) \(algorithm)")
            if i == 99 { baseline = Self.residentBytes() }
            XCTAssertLessThan(Date().timeIntervalSince(start), 30, "bounded in time")
        }
        XCTAssertEqual(c.streamInitCount, 1, "one z_stream for every response")
        // A z_stream leaked per response would be ~256 KiB each: 200+ MiB over 900.
        let growth = Self.residentBytes() - baseline
        XCTAssertGreaterThan(baseline, 0)
        XCTAssertLessThan(growth, 8 << 20, "resident memory grew by \(growth) bytes over 900 reused responses")
    }

    func testResetReleasesOversizedScratch() throws {
        let c = try ResponseCompressor(algorithm: .gzip)
        let big = Self.randomBytes(1 << 20, seed: 3)
        var out: [UInt8] = []
        c.compress(big, into: &out)
        c.finish(into: &out)
        XCTAssertEqual(Decompress.inflate(ChunkedBody.decode(out)!.payload, gzip: true), big)
        c.reset(algorithm: .gzip)
        out = []
        c.compress(Array("small".utf8), into: &out)
        c.finish(into: &out)
        XCTAssertEqual(Decompress.inflate(ChunkedBody.decode(out)!.payload, gzip: true), Array("small".utf8))
    }

    /// Resident set size from /proc/self/statm (Glibc does not export mallinfo2 to Swift).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Inflates as much of a raw deflate stream as is available (no end required).
    private func partialRawInflate(_ data: [UInt8]) -> [UInt8] {
        var s = z_stream()
        guard cz_inflate_init2(&s, -15) == Z_OK else { return [] }
        defer { inflateEnd(&s) }
        var input = data
        var output = [UInt8](repeating: 0, count: 65536)
        let produced = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { outp -> Int in
                s.next_in = inp.baseAddress; s.avail_in = uInt(inp.count)
                s.next_out = outp.baseAddress; s.avail_out = uInt(outp.count)
                _ = inflate(&s, Z_SYNC_FLUSH)
                return outp.count - Int(s.avail_out)
            }
        }
        return Array(output[0..<produced])
    }
}
