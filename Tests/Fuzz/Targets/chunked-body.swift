// modules: FulcrumBytes FulcrumHTTP
// A chunked body alone, with a small line limit so the size-line and trailer
// bounds are reached: the same bytes must end the body at the same place (or
// be refused) whether they come whole or in pieces, validated or decoded. A
// request smuggled past one reading and not the other starts here.
// First byte: bits 0-5 the read size, bits 6-7 the line limit.
import FulcrumHTTP

let lineLimits = [8, 16, 64, 15360]

enum ChunkEnd: Equatable { case more, done(Int), refused }

func run(_ body: UnsafeRawBufferPointer, piece: Int, lineLimit: Int, decode: Bool) -> (ChunkEnd, [UInt8]) {
    var parser = ChunkedBodyParser(errorStatus: 400, maxLineSize: lineLimit)
    var payload: [UInt8] = []
    var offset = 0
    repeat {
        let end = min(body.count, offset + piece)
        let slice = UnsafeRawBufferPointer(rebasing: body[offset..<end])
        let step = decode ? parser.decode(slice, into: &payload) : parser.feed(slice)
        switch step {
        case .consumed(let n):
            fuzzCheck(n == slice.count, "consumed \(n) of \(slice.count) without ending")
            offset = end
        case .done(let n):
            fuzzCheck(n <= slice.count, "done after \(n) of \(slice.count)")
            fuzzCheck(parser.isDone, "done but not isDone")
            return (.done(offset + n), payload)
        case .invalid:
            return (.refused, payload)
        }
    } while offset < body.count
    return (.more, payload)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let piece = Int(input.first & 0x3F) + 1
    let limit = lineLimits[Int(input.first >> 6)]
    let body = input.rest
    let whole = run(body, piece: max(body.count, 1), lineLimit: limit, decode: false)
    let pieces = run(body, piece: piece, lineLimit: limit, decode: false)
    let decodedWhole = run(body, piece: max(body.count, 1), lineLimit: limit, decode: true)
    let decodedPieces = run(body, piece: piece, lineLimit: limit, decode: true)
    fuzzCheck(whole.0 == pieces.0, "whole \(whole.0) vs pieces of \(piece): \(pieces.0)")
    fuzzCheck(whole.0 == decodedWhole.0 && whole.0 == decodedPieces.0, "feed \(whole.0) vs decode \(decodedWhole.0) / \(decodedPieces.0)")
    if case .done = whole.0 { fuzzCheck(decodedWhole.1 == decodedPieces.1, "payload differs with pieces of \(piece)") }
    return 0
}
