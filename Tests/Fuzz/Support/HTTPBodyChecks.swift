import FulcrumHTTP

/// What a body forwarder made of some bytes, fed whole or piece by piece.
struct BodyRun: Equatable {
    enum End: Equatable { case done, needsMore, failed(Int) }
    var end: End
    var consumed: Int
    var payload: [UInt8]
}

/// Feeds `body` to a fresh forwarder in pieces of `piece` bytes (0: whole),
/// as reads would deliver it. A forwarder must never claim more bytes than
/// it was given.
func forwardBody(_ body: UnsafeRawBufferPointer, framing: HTTPBodyFraming, errorStatus: Int, piece: Int) -> BodyRun {
    var forwarder = HTTPBodyForwarder(framing: framing, errorStatus: errorStatus)
    var run = BodyRun(end: .needsMore, consumed: 0, payload: [])
    if forwarder.isDone { run.end = .done; return run }
    var offset = 0
    while offset < body.count {
        let end = piece == 0 ? body.count : min(body.count, offset + piece)
        let slice = UnsafeRawBufferPointer(rebasing: body[offset..<end])
        switch forwarder.forward(slice, payload: &run.payload) {
        case .failure(let e):
            run.end = .failed(e.status)
            return run
        case .success(let move):
            fuzzCheck(move.consumed >= 0 && move.consumed <= slice.count, "consumed \(move.consumed) of \(slice.count)")
            fuzzCheck(move.passThrough == 0 || move.passThrough == move.consumed, "passThrough \(move.passThrough)")
            run.consumed += move.consumed
            offset += move.consumed
            if forwarder.isDone { run.end = .done; return run }
            fuzzCheck(move.consumed == slice.count, "not done but left \(slice.count - move.consumed) bytes")
        }
    }
    return run
}

/// The body checks shared by requests and responses: the same bytes give
/// the same answer whatever the reads' sizes, and a decoded chunked body,
/// framed again as the proxy forwards it, decodes to the same payload.
func checkBody(_ body: UnsafeRawBufferPointer, framing: HTTPBodyFraming, errorStatus: Int, piece: Int) {
    let whole = forwardBody(body, framing: framing, errorStatus: errorStatus, piece: 0)
    let pieces = forwardBody(body, framing: framing, errorStatus: errorStatus, piece: piece)
    // A refusal's byte count is not part of the answer: the connection closes.
    let same = whole == pieces || (whole.end == pieces.end && { if case .failed = whole.end { return true }; return false }())
    fuzzCheck(same, "whole \(whole.end) \(whole.consumed) vs pieces of \(piece): \(pieces.end) \(pieces.consumed)")
    if case .failed(let status) = whole.end { fuzzCheck(status == errorStatus, "status \(status)") }
    guard framing == .chunked else { return }
    // The validating pass (`feed`, what a spliced body goes through) and the
    // decoding one agree on where the body ends.
    var validator = ChunkedBodyParser(errorStatus: errorStatus)
    switch validator.feed(body) {
    case .consumed(let n): fuzzCheck(whole.end == .needsMore && n == body.count, "feed: more, decode: \(whole.end)")
    case .done(let n): fuzzCheck(whole.end == .done && n == whole.consumed, "feed: done at \(n), decode: \(whole.end) \(whole.consumed)")
    case .invalid(let e): fuzzCheck(whole.end == .failed(e.status), "feed: invalid, decode: \(whole.end)")
    }
    guard whole.end == .done else { return }
    var reframed: [UInt8] = []
    whole.payload.withUnsafeBytes { p in
        HTTPBodyForwarder.writeChunk(p, last: true) { reframed.append(contentsOf: $0) }
    }
    let again = reframed.withUnsafeBytes { forwardBody($0, framing: .chunked, errorStatus: errorStatus, piece: 0) }
    fuzzCheck(again == BodyRun(end: .done, consumed: reframed.count, payload: whole.payload),
              "reframed body: \(again.end) \(again.consumed)/\(reframed.count)")
}
