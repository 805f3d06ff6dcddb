import FulcrumBytes

/// Writes responses, compressing each name against those already written
/// (RFC 1035 4.1.4): the tests' and a fuzzer's seeds, and the answer a test
/// server would give. Not used by the resolver itself.
public struct DNSResponseBuilder {
    public private(set) var bytes: [UInt8] = []
    private var written: [String: Int] = [:]
    private var counts = [0, 0, 0, 0]

    public init(id: UInt16, responseCode: DNSResponseCode = .noError, truncated: Bool = false,
                question: String, type: DNSType) {
        DNSCodec.append16(id, &bytes)
        DNSCodec.append16(0x8180 | (truncated ? 0x0200 : 0) | UInt16(responseCode.rawValue), &bytes)
        bytes.append(contentsOf: [UInt8](repeating: 0, count: 8))
        counts[0] = 1
        writeName(question)
        DNSCodec.append16(type.rawValue, &bytes)
        DNSCodec.append16(1, &bytes)
        patchCounts()
    }

    public enum Section: Int { case answer = 1, authority = 2, additional = 3 }

    public mutating func add(_ record: DNSRecord, to section: Section = .answer) {
        writeName(record.name)
        let type: UInt16
        switch record.data {
        case .a: type = DNSType.a.rawValue
        case .aaaa: type = DNSType.aaaa.rawValue
        case .cname: type = DNSType.cname.rawValue
        case .srv: type = DNSType.srv.rawValue
        case .other(let t): type = t
        }
        DNSCodec.append16(type, &bytes)
        DNSCodec.append16(1, &bytes)
        DNSCodec.append32(record.ttl, &bytes)
        let lengthAt = bytes.count
        DNSCodec.append16(0, &bytes)
        switch record.data {
        case .a(let v4): bytes.append(contentsOf: v4.octets)
        case .aaaa(let v6): bytes.append(contentsOf: v6.bytes)
        case .cname(let target): writeName(target)
        case .srv(let priority, let weight, let port, let target):
            DNSCodec.append16(priority, &bytes); DNSCodec.append16(weight, &bytes); DNSCodec.append16(port, &bytes)
            writeName(target)
        case .other: break
        }
        let length = bytes.count - lengthAt - 2
        bytes[lengthAt] = UInt8(length >> 8); bytes[lengthAt + 1] = UInt8(length & 0xFF)
        counts[section.rawValue] += 1
        patchCounts()
    }

    /// The longest suffix already written becomes a pointer.
    private mutating func writeName(_ name: String) {
        var labels = DNSName.canonical(name).split(separator: ".").map(String.init)
        while !labels.isEmpty {
            let suffix = labels.joined(separator: ".")
            if let at = written[suffix], at < 0x4000 {
                DNSCodec.append16(0xC000 | UInt16(at), &bytes)
                return
            }
            written[suffix] = bytes.count
            let label = Array(labels.removeFirst().utf8)
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        bytes.append(0)
    }

    private mutating func patchCounts() {
        for i in 0..<4 {
            bytes[4 + 2 * i] = UInt8(counts[i] >> 8); bytes[5 + 2 * i] = UInt8(counts[i] & 0xFF)
        }
    }
}
