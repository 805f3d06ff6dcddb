// modules: FulcrumBytes FulcrumDNS
// A DNS response as the resolver receives it. A decoded response whose names
// are plain host names, written again (DNSResponseBuilder, with name
// compression), decodes to the same response.
import FulcrumBytes
import FulcrumDNS

func plain(_ name: String) -> Bool {
    guard !name.isEmpty else { return false }
    for label in name.split(separator: ".", omittingEmptySubsequences: false) {
        guard !label.isEmpty, label.utf8.count < 64,
              label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F })
        else { return false }
    }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNSMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let message = Array(FuzzInput(data, size).bytes)
    guard case .success(let r) = DNSCodec.decode(message) else { return 0 }
    let records = r.answers + r.authority + r.additional
    func names(_ d: DNSRecordData) -> [String] {
        switch d {
        case .cname(let t): return [t]
        case .srv(_, _, _, let t): return [t]
        default: return []
        }
    }
    guard plain(r.questionName), records.allSatisfy({ plain($0.name) && names($0.data).allSatisfy(plain) }),
          let code = DNSResponseCode(rawValue: r.responseCode), let type = DNSType(rawValue: r.questionType)
    else { return 0 }
    var builder = DNSResponseBuilder(id: r.id, responseCode: code, truncated: r.truncated, question: r.questionName, type: type)
    for a in r.answers { builder.add(a, to: .answer) }
    for a in r.authority { builder.add(a, to: .authority) }
    for a in r.additional { builder.add(a, to: .additional) }
    guard case .success(let again) = DNSCodec.decode(builder.bytes) else {
        fatalError("fuzz invariant: rebuilt response refused")
    }
    fuzzCheck(again == r, "rebuilt response differs:\n\(r)\n\(again)")
    return 0
}
