import FulcrumHTTP2
import XCTest

/// Bytes from RFC-style hex ("8286 8441"), blanks ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != 0x20 && $0 != 0x0A })
    precondition(digits.count % 2 == 0, "odd hex")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
}

/// The dynamic table's entries, newest first, as (size, name, value).
func entries(_ table: HPACKDynamicTable) -> [(Int, String, String)] {
    (1...max(table.count, 1)).prefix(table.count).map { i in
        var name: [UInt8] = [], value: [UInt8] = []
        table.appendName(i, to: &name)
        table.appendValue(i, to: &value)
        return (name.count + value.count + 32, String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
}

func assertEntries(_ table: HPACKDynamicTable, _ expected: [(Int, String, String)], size: Int,
                   file: StaticString = #filePath, line: UInt = #line) {
    let actual = entries(table)
    XCTAssertEqual(actual.map { "\($0.0) \($0.1): \($0.2)" }, expected.map { "\($0.0) \($0.1): \($0.2)" }, file: file, line: line)
    XCTAssertEqual(table.size, size, "table size", file: file, line: line)
}

func assertPairs(_ list: HPACKHeaderList, _ expected: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(list.pairs.map { "\($0.name): \($0.value)" }, expected.map { "\($0.0): \($0.1)" }, file: file, line: line)
}

/// Decodes `block`, returning the error when it fails.
func decodeError(_ decoder: inout HPACKDecoder, _ block: [UInt8]) -> HPACKDecodingError? {
    var list = HPACKHeaderList()
    do {
        try decoder.decode(block, into: &list)
        return nil
    } catch {
        return error
    }
}

/// Encodes a header list as one block.
func encodeBlock(_ encoder: inout HPACKEncoder, _ fields: [(String, String)], indexing: HPACKIndexing = .incremental) -> [UInt8] {
    var out: [UInt8] = []
    encoder.beginBlock(into: &out)
    for (name, value) in fields { encoder.encode(name: name.utf8, value: value.utf8, indexing: indexing, into: &out) }
    return out
}
