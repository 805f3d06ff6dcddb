// modules: FulcrumBytes FulcrumHTTP
// The PROXY protocol v1/v2 header a `accept-proxy` listener reads first. A
// decoded header says how many bytes it took (never more than given), and
// the endpoints it carries, written again as Fulcrum sends them to a server
// (`send-proxy`, `send-proxy-v2`), decode to the same endpoints.
import FulcrumBytes
import FulcrumHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyProtocol(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    var kept = ProxyProtocolHeader(version: 0, length: 0)
    let error = ProxyProtocolHeader.decode(bytes, into: &kept)
    guard case .success(let h) = ProxyProtocolHeader.decode(bytes) else {
        fuzzCheck(error != nil, "decode(into:) succeeded where decode failed")
        return 0
    }
    fuzzCheck(error == nil && kept == h, "decode(into:) differs")
    fuzzCheck(h.length > 0 && h.length <= bytes.count, "length \(h.length) of \(bytes.count)")
    fuzzCheck(h.version == 1 || h.version == 2, "version \(h.version)")
    fuzzCheck((0...65535).contains(h.sourcePort) && (0...65535).contains(h.destinationPort), "ports")
    guard let source = h.source, let destination = h.destination else { return 0 }
    var out = [UInt8](repeating: 0, count: ProxyProtocolEncoder.maximumLength)
    let n = out.withUnsafeMutableBytes { p in
        h.version == 1
            ? ProxyProtocolEncoder.writeV1(source: source, sourcePort: h.sourcePort, destination: destination,
                                           destinationPort: h.destinationPort, into: p)
            : ProxyProtocolEncoder.writeV2(source: source, sourcePort: h.sourcePort, destination: destination,
                                           destinationPort: h.destinationPort, into: p)
    }
    let again = out.withUnsafeBytes { ProxyProtocolHeader.decode(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    guard case .success(let h2) = again else { fatalError("fuzz invariant: re-encoded header refused: \(again)") }
    fuzzCheck(h2.length == n, "re-encoded length \(h2.length) of \(n)")
    fuzzCheck(h2.sourcePort == h.sourcePort && h2.destinationPort == h.destinationPort, "ports differ")
    // v1 writes TCP6 for a mixed pair: compare IPv4 and mapped forms as one.
    func same(_ a: IPAddress?, _ b: IPAddress) -> Bool {
        guard let a else { return false }
        if a == b { return true }
        if case .v4(let x) = b, case .v6(let y) = a { return y == IPv6Address(mapping: x) }
        if case .v4(let x) = a, case .v6(let y) = b { return y == IPv6Address(mapping: x) }
        return false
    }
    fuzzCheck(same(h2.source, source) && same(h2.destination, destination), "addresses differ: \(h) vs \(h2)")
    return 0
}
