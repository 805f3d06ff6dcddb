// modules: FulcrumBytes FulcrumHTTP
// support: HTTPHeadChecks HTTPBodyChecks
// A request as a client sends it: head, then the body its framing says.
// First byte: bit 0 small limits, bit 1 accept-invalid, bits 2-7 the read size.
import FulcrumHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let options = input.first
    let limits = fuzzLimits(options)
    let bytes = input.rest
    switch HTTPParser.parseRequest(bytes, limits: limits) {
    case .incomplete:
        break
    case .invalid(let status, _):
        fuzzCheck((400..<600).contains(status), "status \(status)")
    case .complete(let head, let length):
        let again = checkHead(bytes, head: head, length: length, limits: limits) { HTTPParser.parseRequest($0, limits: $1) }
        // The next hop frames the forwarded head's body as Fulcrum did.
        fuzzCheck(HTTPFraming.request(head) == HTTPFraming.request(again), "framing differs once written out")
        _ = HTTPConnectionHeader.tokens(head)
        _ = HTTPConnectionHeader.isWebSocketRequest(head)
        if case .success(let framing) = HTTPFraming.request(head) {
            checkBody(UnsafeRawBufferPointer(rebasing: bytes[length...]), framing: framing,
                      errorStatus: 400, piece: Int(options >> 2) + 1)
        }
    }
    return 0
}
