import FulcrumHTTP2
import XCTest

final class HPACKDecoderTests: XCTestCase {
    func testMalformedBlocks() {
        var d = HPACKDecoder()
        XCTAssertEqual(decodeError(&d, [0x80]), .indexZero)
        XCTAssertEqual(decodeError(&d, [0xBE]), .indexOutOfRange(62))
        XCTAssertEqual(decodeError(&d, [0x7F, 0x00]), .indexOutOfRange(63))
        XCTAssertEqual(decodeError(&d, [0x41, 0x05, 0x61]), .truncated)
        XCTAssertEqual(decodeError(&d, [0x40, 0x01]), .truncated)
        XCTAssertEqual(decodeError(&d, [0x41]), .truncated)
        XCTAssertEqual(decodeError(&d, [0xFF]), .truncated)
        XCTAssertEqual(decodeError(&d, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), .integerOverflow)
        XCTAssertEqual(decodeError(&d, [0xFF, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), .integerOverflow)
        // A Huffman value with bad padding, and with EOS.
        XCTAssertEqual(decodeError(&d, [0x04, 0x81, 0x18]), .huffmanPadding)
        XCTAssertEqual(decodeError(&d, [0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]), .huffmanEOS)
        XCTAssertEqual(HPACKDecodingError.truncated.http2ErrorCode, .compressionError)
    }

    func testSizeUpdates() throws {
        var d = HPACKDecoder(headerTableSizeLimit: 4096)
        var list = HPACKHeaderList()
        // 4096 = 31 + 0x61 + 0x1f << 7: at the limit, then one above it.
        try d.decode([0x3F, 0xE1, 0x1F, 0x82], into: &list)
        XCTAssertEqual(d.table.maxSize, 4096)
        XCTAssertEqual(decodeError(&d, [0x3F, 0xE2, 0x1F]), .sizeUpdateAboveLimit(4097))
        XCTAssertEqual(decodeError(&d, [0x82, 0x20]), .sizeUpdateNotAtStart)
        // Two updates at the start are allowed (§4.2); to 0 empties the table.
        try d.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), into: &list)
        XCTAssertEqual(d.table.count, 1)
        try d.decode([0x20, 0x3F, 0x21, 0x82], into: &list)
        XCTAssertEqual(d.table.count, 0)
        XCTAssertEqual(d.table.maxSize, 64)
        assertPairs(list, [(":method", "GET")])
    }

    func testLoweredLimitRequiresAnUpdate() throws {
        var d = HPACKDecoder(headerTableSizeLimit: 4096)
        var list = HPACKHeaderList()
        try d.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), into: &list)
        d.setHeaderTableSizeLimit(100)
        XCTAssertEqual(d.table.count, 1, "an entry that fits the lower limit is kept until the update")
        XCTAssertEqual(decodeError(&d, [0x82]), .sizeUpdateMissing)
        XCTAssertEqual(decodeError(&d, []), .sizeUpdateMissing)
        XCTAssertEqual(decodeError(&d, [0x3F, 0x46]), .sizeUpdateAboveLimit(101))
        try d.decode([0x3F, 0x45, 0xBE], into: &list)
        assertPairs(list, [("custom-key", "custom-header")])
        try d.decode([0x82], into: &list)
    }

    /// §4.4: a new entry may name an entry its own insertion evicts.
    func testNameOfEvictedEntry() throws {
        var d = HPACKDecoder(headerTableSizeLimit: 50)
        var list = HPACKHeaderList()
        try d.decode([0x40, 0x04] + Array("abcd".utf8) + [0x01] + Array("x".utf8), into: &list)
        assertEntries(d.table, [(37, "abcd", "x")], size: 37)
        try d.decode([0x7E, 0x02] + Array("yz".utf8), into: &list)
        assertPairs(list, [("abcd", "yz")])
        assertEntries(d.table, [(38, "abcd", "yz")], size: 38)
        // An entry larger than the table empties it and is not added.
        try d.decode([0x40, 0x11] + Array("0123456789abcdefg".utf8) + [0x02] + Array("vv".utf8), into: &list)
        assertPairs(list, [("0123456789abcdefg", "vv")])
        assertEntries(d.table, [], size: 0)
    }

    func testHeaderListLimit() throws {
        var d = HPACKDecoder(maxHeaderListSize: 100)
        var list = HPACKHeaderList()
        try d.decode([0x00, 0x01, 0x61, 0x3F] + Array(repeating: 0x62, count: 63), into: &list)
        XCTAssertEqual(decodeError(&d, [0x00, 0x01, 0x61, 0x7F, 0x00] + Array(repeating: 0x62, count: 127)), .headerListTooLarge)
        XCTAssertEqual(decodeError(&d, Array(repeating: 0x82, count: 3)), .headerListTooLarge)
    }

    /// The ring-buffer table against a plain array model, over many
    /// insertions of varied sizes that wrap its storage.
    func testDynamicTableMatchesAModel() {
        var table = HPACKDynamicTable(capacity: 300)
        var model: [(String, String)] = []
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        for step in 0..<2000 {
            if step % 97 == 0 {
                let size = next(301)
                table.setMaxSize(size)
                while model.reduce(0, { $0 + $1.0.utf8.count + $1.1.utf8.count + 32 }) > size { model.removeLast() }
            }
            let name = String(repeating: "n", count: 1 + next(20)) + "\(step)"
            let value = String(repeating: "v", count: next(120))
            name.utf8.withContiguousStorageIfAvailable { n in
                value.utf8.withContiguousStorageIfAvailable { v in
                    table.add(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v))
                }
            }
            let size = name.utf8.count + value.utf8.count + 32
            if size > table.maxSize {
                model.removeAll()
            } else {
                model.insert((name, value), at: 0)
                while model.reduce(0, { $0 + $1.0.utf8.count + $1.1.utf8.count + 32 }) > table.maxSize { model.removeLast() }
            }
            let actual = entries(table)
            XCTAssertEqual(actual.map { "\($0.1): \($0.2)" }, model.map { "\($0.0): \($0.1)" }, "step \(step)")
            XCTAssertEqual(table.size, model.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 32 })
            if actual.count != model.count { return }
        }
    }

    /// What the encoder writes, the decoder reads, across blocks that
    /// reuse, evict and resize the table, with every indexing choice.
    func testEncoderDecoderRoundTrip() throws {
        for policy in [HPACKEncoder.HuffmanPolicy.never, .always, .whenShorter] {
            var encoder = HPACKEncoder(maxTableSize: 256, huffman: policy)
            var decoder = HPACKDecoder(headerTableSizeLimit: 256)
            var list = HPACKHeaderList()
            for round in 0..<50 {
                if round == 20 { encoder.setMaxTableSize(0); encoder.setMaxTableSize(100) }
                let fields: [(String, String)] = [
                    (":method", round % 2 == 0 ? "GET" : "POST"), (":path", "/item/\(round % 7)"),
                    ("user-agent", "test/\(round % 3)"), ("x-bin", String(decoding: [UInt8(round), 0xC3, 0xA9], as: UTF8.self)),
                    ("authorization", "secret-\(round)"),
                ]
                var block: [UInt8] = []
                encoder.beginBlock(into: &block)
                for (i, f) in fields.enumerated() {
                    encoder.encode(name: f.0.utf8, value: f.1.utf8, indexing: i == 4 ? .neverIndexed : (i == 3 ? .withoutIndexing : .incremental),
                                   into: &block)
                }
                try decoder.decode(block, into: &list)
                assertPairs(list, fields)
                XCTAssertEqual(list.fields[4].indexing, .neverIndexed)
                XCTAssertEqual(entries(decoder.table).map { "\($0.1)=\($0.2)" }, entries(encoder.table).map { "\($0.1)=\($0.2)" })
            }
            XCTAssertEqual(decoder.table.maxSize, 100)
        }
    }
}
