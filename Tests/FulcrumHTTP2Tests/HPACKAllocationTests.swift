import CAllocationCounter
import FulcrumHTTP2
import XCTest

final class HPACKAllocationTests: XCTestCase {
    /// Decoding a browser-like request block into a reused list, with
    /// Huffman strings and dynamic-table inserts and references, allocates
    /// nothing once the list's storage has grown.
    func testSteadyStateDecodeAllocatesNothing() throws {
        try XCTSkipIf(fulcrum_allocations_counted() == 0, "AddressSanitizer owns malloc: allocations are not counted")
        var encoder = HPACKEncoder(huffman: .whenShorter)
        var blocks: [[UInt8]] = []
        for i in 0..<8 {
            blocks.append(encodeBlock(&encoder, [
                (":method", "GET"), (":scheme", "https"), (":authority", "www.example.com"), (":path", "/assets/app-\(i).js"),
                ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"),
                ("accept", "*/*"), ("accept-encoding", "gzip, deflate, br"), ("cookie", "session=\(i)abcdef0123456789"),
            ]))
        }
        var decoder = HPACKDecoder()
        var list = HPACKHeaderList()
        for block in blocks { try decoder.decode(block, into: &list) }
        let steady = blocks[7]
        var failed = false
        // Until the table has filled and evicts in a steady cycle.
        for _ in 0..<100 { try decoder.decode(steady, into: &list) }
        fulcrum_allocations_reset()
        for _ in 0..<200 {
            do { try decoder.decode(steady, into: &list) } catch { failed = true }
        }
        let count = fulcrum_allocations_count()
        XCTAssertFalse(failed)
        XCTAssertEqual(count, 0, "mallocs in 200 decodes")
        XCTAssertEqual(list.count, 8)
    }
}

final class HPACKEncoderAllocationTests: XCTestCase {
    /// Encoding a response's fields into a reused buffer allocates nothing
    /// once the buffer has grown: table lookups compare bytes in place and
    /// inserts go into the table's fixed storage.
    func testSteadyStateEncodeAllocatesNothing() throws {
        try XCTSkipIf(fulcrum_allocations_counted() == 0, "AddressSanitizer owns malloc: allocations are not counted")
        let fields: [(String, String)] = [
            (":status", "200"), ("content-type", "text/html; charset=utf-8"), ("cache-control", "private, max-age=0"),
            ("date", "Tue, 08 Dec 2026 02:40:00 GMT"), ("set-cookie", "id=a3fWa; Max-Age=2592000; Secure"), ("server", "fulcrum"),
        ]
        // As the engine will hold them: bytes, not Strings (iterating an
        // array of String tuples allocates in debug builds by itself).
        let names = fields.map { Array($0.0.utf8) }, values = fields.map { Array($0.1.utf8) }
        var encoder = HPACKEncoder(huffman: .whenShorter)
        var mirror = HPACKDecoder()
        var list = HPACKHeaderList()
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        func encodeAll() {
            out.removeAll(keepingCapacity: true)
            encoder.beginBlock(into: &out)
            for i in 0..<names.count {
                encoder.encode(name: names[i], value: values[i], indexing: i == 3 ? .withoutIndexing : .incremental, into: &out)
            }
        }
        for _ in 0..<10 {
            encodeAll()
            try mirror.decode(out, into: &list)
        }
        fulcrum_allocations_reset()
        for _ in 0..<200 { encodeAll() }
        XCTAssertEqual(fulcrum_allocations_count(), 0, "mallocs in 200 encodes")
        // Steady-state blocks only reference the table, so the mirror is still in step.
        try mirror.decode(out, into: &list)
        assertPairs(list, fields)
        // Five one-byte indexes, then the date: name index 33 (two bytes), a length byte, its Huffman code.
        XCTAssertEqual(out.count, 5 + 2 + 1 + values[3].withUnsafeBytes { HPACKHuffman.encodedLength($0) })
    }
}
