// modules: FulcrumBytes FulcrumHTTP2
// Header blocks one after another on one connection, each preceded by a
// length byte, decoded with the dynamic table carried over. First byte:
// bits 0-1 the SETTINGS_HEADER_TABLE_SIZE (0, 64, 256, 4096), bits 2-3 the
// Huffman policy of the re-encoding. Every decoded list, encoded again by
// FulcrumHTTP2's encoder and decoded by a second decoder, gives the same
// fields; the table never exceeds its maximum. The lists also go through
// HTTP2MessageValidation's request, response and trailer checks.
import FulcrumHTTP2

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHPACKDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let limit = [0, 64, 256, 4096][Int(input.first & 3)]
    let policy: HPACKEncoder.HuffmanPolicy = [.never, .always, .whenShorter, .whenShorter][Int((input.first >> 2) & 3)]
    var decoder = HPACKDecoder(headerTableSizeLimit: limit, maxHeaderListSize: 16384)
    var encoder = HPACKEncoder(maxTableSize: 4096, huffman: policy)
    var mirror = HPACKDecoder(headerTableSizeLimit: 4096, maxHeaderListSize: 1 << 20)
    var list = HPACKHeaderList(), again = HPACKHeaderList()
    var rest = input.rest
    while !rest.isEmpty {
        let length = Swift.min(Int(rest[0]), rest.count - 1)
        let block = UnsafeRawBufferPointer(rebasing: rest[1..<(1 + length)])
        rest = UnsafeRawBufferPointer(rebasing: rest[(1 + length)...])
        do {
            try decoder.decode(block, into: &list)
        } catch {
            return 0  // the connection ends with COMPRESSION_ERROR
        }
        fuzzCheck(decoder.table.size <= decoder.table.maxSize, "table over its maximum")
        // The §8 checks run over any decoded list; a request they accept has its pseudo-headers in it.
        if case .success(let pseudo) = HTTP2MessageValidation.request(list) {
            fuzzCheck(list.fields.first.map { list.bytes[$0.name].elementsEqual(":method".utf8) ? $0.value == pseudo.method : true } ?? false,
                      "the first field is :method but another range came back")
            fuzzCheck(HTTP2MessageValidation.trailers(list) != nil, "a request's pseudo-headers passed as trailers")
        }
        _ = HTTP2MessageValidation.response(list)
        var out: [UInt8] = []
        encoder.beginBlock(into: &out)
        list.bytes.withUnsafeBytes { all in
            for f in list.fields {
                let indexing: HPACKIndexing = f.indexing == .indexed ? .incremental : f.indexing
                encoder.encode(name: UnsafeRawBufferPointer(rebasing: all[f.name]), value: UnsafeRawBufferPointer(rebasing: all[f.value]),
                               indexing: indexing, into: &out)
            }
        }
        do {
            try mirror.decode(out, into: &again)
        } catch {
            fuzzCheck(false, "re-encoded block refused: \(error)")
        }
        fuzzCheck(again.count == list.count, "field count differs")
        for i in 0..<list.count {
            fuzzCheck(again.name(i) == list.name(i) && again.value(i) == list.value(i), "field \(i) differs")
            fuzzCheck((again.fields[i].indexing == .neverIndexed) == (list.fields[i].indexing == .neverIndexed), "never-indexed lost")
        }
    }
    return 0
}
