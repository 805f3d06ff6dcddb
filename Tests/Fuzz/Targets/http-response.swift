// modules: FulcrumBytes FulcrumHTTP
// support: HTTPHeadChecks HTTPBodyChecks
// A response as a server sends it: head, then the body its framing says
// (chunked, Content-Length, until close, none for HEAD/1xx/204/304).
// First byte: bit 0 small limits, bit 1 accept-invalid, bits 2-3 the
// request's method, bits 4-7 the read size.
import FulcrumHTTP

let methods: [ArraySlice<UInt8>] = ["GET", "HEAD", "CONNECT", "POST"].map { Array($0.utf8)[...] }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let options = input.first
    let limits = fuzzLimits(options)
    let bytes = input.rest
    switch HTTPParser.parseResponse(bytes, limits: limits) {
    case .incomplete:
        break
    case .invalid(let status, _):
        fuzzCheck(status == 502, "status \(status)")
    case .complete(let head, let length):
        let again = checkHead(bytes, head: head, length: length, limits: limits) { HTTPParser.parseResponse($0, limits: $1) }
        _ = HTTPConnectionHeader.isUpgradeResponse(head)
        var normalized = head
        _ = HTTPNormalization.applyToResponse(&normalized)
        let method = methods[Int(options >> 2) & 3]
        // The client frames the forwarded head's body as Fulcrum did.
        fuzzCheck(HTTPFraming.response(head, requestMethod: method) == HTTPFraming.response(again, requestMethod: method),
                  "framing differs once written out")
        if case .success(let framing) = HTTPFraming.response(head, requestMethod: method) {
            checkBody(UnsafeRawBufferPointer(rebasing: bytes[length...]), framing: framing,
                      errorStatus: 502, piece: Int(options >> 4) + 1)
        }
    }
    return 0
}
