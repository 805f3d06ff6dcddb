import FulcrumHTTP2
import XCTest

/// RFC 7541 Appendix C, verbatim: each block decodes to the listed fields
/// and leaves the listed dynamic table; the encoder, making the choices the
/// examples make, produces the same bytes.
final class HPACKAppendixCTests: XCTestCase {
    struct Step {
        var block: String
        var fields: [(String, String)]
        var table: [(Int, String, String)]
        var size: Int
    }

    static let request1: [(String, String)] = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]
    static let request2 = request1 + [("cache-control", "no-cache")]
    static let request3: [(String, String)] = [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"),
                                               (":authority", "www.example.com"), ("custom-key", "custom-value")]
    static let authority = (57, ":authority", "www.example.com")
    static let noCache = (53, "cache-control", "no-cache")
    static let customValue = (54, "custom-key", "custom-value")

    static let requests: [(String, String, String)] = [
        ("828684410f7777772e6578616d706c652e636f6d", "828684418cf1e3c2e5f23a6ba0ab90f4ff", ""),
        ("828684be58086e6f2d6361636865", "828684be5886a8eb10649cbf", ""),
        ("828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", ""),
    ]

    func requestSteps(huffman: Bool) -> [Step] {
        let blocks = Self.requests.map { huffman ? $0.1 : $0.0 }
        return [
            Step(block: blocks[0], fields: Self.request1, table: [Self.authority], size: 57),
            Step(block: blocks[1], fields: Self.request2, table: [Self.noCache, Self.authority], size: 110),
            Step(block: blocks[2], fields: Self.request3, table: [Self.customValue, Self.noCache, Self.authority], size: 164),
        ]
    }

    static let date1 = "Mon, 21 Oct 2013 20:13:21 GMT", date2 = "Mon, 21 Oct 2013 20:13:22 GMT"
    static let location = "https://www.example.com"
    static let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
    static let response1: [(String, String)] = [(":status", "302"), ("cache-control", "private"), ("date", date1), ("location", location)]
    static let response2: [(String, String)] = [(":status", "307"), ("cache-control", "private"), ("date", date1), ("location", location)]
    static let response3: [(String, String)] = [(":status", "200"), ("cache-control", "private"), ("date", date2), ("location", location),
                                                ("content-encoding", "gzip"), ("set-cookie", cookie)]

    func responseSteps(huffman: Bool) -> [Step] {
        let blocks = huffman ? [
            "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
            "4883640effc1c0bf",
            "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
        ] : [
            "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
            "4803333037c1c0bf",
            "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
        ]
        return [
            Step(block: blocks[0], fields: Self.response1,
                 table: [(63, "location", Self.location), (65, "date", Self.date1), (52, "cache-control", "private"), (42, ":status", "302")],
                 size: 222),
            Step(block: blocks[1], fields: Self.response2,
                 table: [(42, ":status", "307"), (63, "location", Self.location), (65, "date", Self.date1), (52, "cache-control", "private")],
                 size: 222),
            Step(block: blocks[2], fields: Self.response3,
                 table: [(98, "set-cookie", Self.cookie), (52, "content-encoding", "gzip"), (65, "date", Self.date2)],
                 size: 215),
        ]
    }

    func check(_ steps: [Step], tableSize: Int, huffman: HPACKEncoder.HuffmanPolicy, file: StaticString = #filePath, line: UInt = #line) throws {
        var decoder = HPACKDecoder(headerTableSizeLimit: tableSize)
        var encoder = HPACKEncoder(maxTableSize: tableSize, huffman: huffman)
        var list = HPACKHeaderList()
        for step in steps {
            try decoder.decode(hex(step.block), into: &list)
            assertPairs(list, step.fields, file: file, line: line)
            assertEntries(decoder.table, step.table, size: step.size, file: file, line: line)
            XCTAssertEqual(encodeBlock(&encoder, step.fields), hex(step.block), "encoder output", file: file, line: line)
            assertEntries(encoder.table, step.table, size: step.size, file: file, line: line)
        }
    }

    func testC1Integers() throws {
        var out: [UInt8] = []
        HPACKInteger.encode(10, prefixBits: 5, flags: 0, into: &out)
        XCTAssertEqual(out, [0x0A])
        out = []
        HPACKInteger.encode(1337, prefixBits: 5, flags: 0, into: &out)
        XCTAssertEqual(out, [0x1F, 0x9A, 0x0A])
        out = []
        HPACKInteger.encode(42, prefixBits: 8, flags: 0, into: &out)
        XCTAssertEqual(out, [0x2A])
        for (bytes, prefix, value) in [([UInt8(0xEA)], 5, 10), ([0xFF, 0x9A, 0x0A], 5, 1337), ([0x2A], 8, 42)] {
            var i = 0
            XCTAssertEqual(try bytes.withUnsafeBytes { b throws(HPACKDecodingError) in try HPACKInteger.decode(b, at: &i, prefixBits: prefix) }, value)
            XCTAssertEqual(i, bytes.count)
        }
    }

    func testC2LiteralFields() throws {
        var decoder = HPACKDecoder()
        var list = HPACKHeaderList()
        try decoder.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), into: &list)
        assertPairs(list, [("custom-key", "custom-header")])
        XCTAssertEqual(list.fields[0].indexing, .incremental)
        assertEntries(decoder.table, [(55, "custom-key", "custom-header")], size: 55)

        decoder = HPACKDecoder()
        try decoder.decode(hex("040c 2f73 616d 706c 652f 7061 7468"), into: &list)
        assertPairs(list, [(":path", "/sample/path")])
        XCTAssertEqual(list.fields[0].indexing, .withoutIndexing)
        assertEntries(decoder.table, [], size: 0)

        try decoder.decode(hex("1008 7061 7373 776f 7264 0673 6563 7265 74"), into: &list)
        assertPairs(list, [("password", "secret")])
        XCTAssertEqual(list.fields[0].indexing, .neverIndexed)
        assertEntries(decoder.table, [], size: 0)

        try decoder.decode([0x82], into: &list)
        assertPairs(list, [(":method", "GET")])
        XCTAssertEqual(list.fields[0].indexing, .indexed)
        assertEntries(decoder.table, [], size: 0)

        var encoder = HPACKEncoder(huffman: .never)
        XCTAssertEqual(encodeBlock(&encoder, [(":path", "/sample/path")], indexing: .withoutIndexing), hex("040c 2f73 616d 706c 652f 7061 7468"))
        XCTAssertEqual(encodeBlock(&encoder, [("password", "secret")], indexing: .neverIndexed),
                       hex("1008 7061 7373 776f 7264 0673 6563 7265 74"))
        XCTAssertEqual(encoder.table.count, 0)
    }

    func testC3RequestsWithoutHuffman() throws {
        try check(requestSteps(huffman: false), tableSize: 4096, huffman: .never)
    }

    func testC4RequestsWithHuffman() throws {
        try check(requestSteps(huffman: true), tableSize: 4096, huffman: .always)
    }

    func testC5ResponsesWithEviction() throws {
        try check(responseSteps(huffman: false), tableSize: 256, huffman: .never)
    }

    func testC6ResponsesWithHuffmanAndEviction() throws {
        try check(responseSteps(huffman: true), tableSize: 256, huffman: .always)
    }
}
