// modules: FulcrumBytes FulcrumLog FulcrumConfig FulcrumHTTP FulcrumCore
// The first bytes of a TCP stream as `req.ssl_sni`, `req.ssl_alpn`,
// `req.ssl_ver` and `req.ssl_hello_type` peek at them. Ranges stay inside
// the bytes, and an answer given on the bytes so far (anything but "need
// more") does not change when more bytes arrive. First byte: where the
// bytes are cut.
import FulcrumCore

func describe<T>(_ a: ClientHelloPeek.Answer<T>) -> String {
    switch a {
    case .value(let v): return "value(\(v))"
    case .needMore: return "needMore"
    case .notTLS: return "notTLS"
    case .absent: return "absent"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLSClientHello(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let all = input.rest
    let cut = all.isEmpty ? 0 : Int(input.first) * all.count / 256
    let prefix = UnsafeRawBufferPointer(rebasing: all[0..<cut])
    func answers(_ b: UnsafeRawBufferPointer) -> [String] {
        let sni = ClientHelloPeek.serverName(b)
        if case .value(let r) = sni { fuzzCheck(r.lowerBound >= 0 && r.upperBound <= b.count, "sni range \(r)") }
        let alpn = ClientHelloPeek.alpnList(b)
        if case .value(let r) = alpn {
            fuzzCheck(r.lowerBound >= 0 && r.upperBound <= b.count, "alpn range \(r)")
            ClientHelloPeek.forEachProtocol(b, in: r) { p in
                fuzzCheck(p.lowerBound >= r.lowerBound && p.upperBound <= r.upperBound, "protocol range \(p)")
                return false
            }
        }
        return [describe(sni), describe(alpn), describe(ClientHelloPeek.version(b, limit: 16384)),
                describe(ClientHelloPeek.helloType(b))]
    }
    let early = answers(prefix), late = answers(all)
    for (e, l) in zip(early, late) where e != "needMore" {
        fuzzCheck(e == l, "answer changed with more bytes: \(e) -> \(l)")
    }
    return 0
}
