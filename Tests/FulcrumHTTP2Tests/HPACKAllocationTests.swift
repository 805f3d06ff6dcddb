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
