import FulcrumHTTP

/// The fields of a parsed head as bytes, for comparing two parses.
struct HeadFields: Equatable {
    var start: [[UInt8]]
    var version: HTTPVersion
    var status: Int
    var fields: [[UInt8]]

    init(_ h: HTTPHead) {
        start = [Array(h.raw[h.part1]), Array(h.raw[h.part2]), Array(h.raw[h.part3])]
        version = h.version
        status = h.status
        fields = h.fields.filter { !$0.removed }.flatMap { [Array(h.raw[$0.name]), Array(h.raw[$0.value])] }
    }
}

/// A complete head: a strict prefix of it is not complete yet, and the head
/// written back out (as the proxy does once rules edited it) parses to the
/// same start line and fields. Returns the re-parsed head.
@discardableResult
func checkHead(_ bytes: UnsafeRawBufferPointer, head: HTTPHead, length: Int, limits: HTTPLimits,
               parse: (UnsafeRawBufferPointer, HTTPLimits) -> HTTPParseOutcome) -> HTTPHead {
    fuzzCheck(length > 0 && length <= bytes.count, "length \(length) of \(bytes.count)")
    if case .complete(_, let l) = parse(UnsafeRawBufferPointer(rebasing: bytes[0..<(length - 1)]), limits) {
        fatalError("fuzz invariant: a prefix of \(length - 1) bytes is already a complete head of \(l)")
    }
    var out: [UInt8] = []
    head.serialize(into: &out)
    var wide = limits
    wide.maxRawHeadSize = max(limits.maxRawHeadSize, out.count + 1)
    let again = out.withUnsafeBytes { parse($0, wide) }
    guard case .complete(let head2, let length2) = again else {
        fatalError("fuzz invariant: serialized head does not parse again: \(again)")
    }
    fuzzCheck(length2 == out.count, "reparsed length \(length2) of \(out.count)")
    fuzzCheck(HeadFields(head) == HeadFields(head2), "reparsed head differs:\n\(HeadFields(head))\n\(HeadFields(head2))")
    return head2
}

/// The parser limits a target's option byte picks: bit 0 small limits (a
/// 256-byte head, 6 fields), bit 1 accept-invalid.
func fuzzLimits(_ options: UInt8) -> HTTPLimits {
    let acceptInvalid = options & 2 != 0
    return options & 1 != 0
        ? HTTPLimits(maxHeadSize: 256, maxFields: 6, acceptInvalid: acceptInvalid)
        : HTTPLimits(acceptInvalid: acceptInvalid)
}
