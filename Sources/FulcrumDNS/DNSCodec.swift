import FulcrumBytes

/// Builds queries and reads responses, without I/O, so every byte path is
/// unit-tested and can be fuzzed (`decode` never traps on any input).
public enum DNSCodec {
    /// A recursive query for `name`/`type`; with `payloadSize` > 512 an EDNS0
    /// OPT record offers that UDP size, as HAProxy's `accepted_payload_size`
    /// does. nil when the name cannot be encoded.
    public static func query(id: UInt16, name: String, type: DNSType, payloadSize: Int = 512) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        append16(id, &out)
        append16(0x0100, &out)                          // RD
        append16(1, &out); append16(0, &out); append16(0, &out)
        append16(payloadSize > 512 ? 1 : 0, &out)
        guard DNSName.encode(name, into: &out) else { return nil }
        append16(type.rawValue, &out)
        append16(1, &out)                               // IN
        if payloadSize > 512 {
            out.append(0)                               // root
            append16(DNSType.opt.rawValue, &out)
            append16(UInt16(min(payloadSize, 65535)), &out)
            append32(0, &out)                           // extended rcode, version, flags
            append16(0, &out)
        }
        return out
    }

    /// Reads a response. Records of unknown types are kept as `.other` so the
    /// sections keep their counts; a record that runs past the end is an error.
    public static func decode(_ m: [UInt8]) -> Result<DNSResponse, DNSDecodeError> {
        guard m.count >= 12 else { return .failure(.tooShort) }
        let id = read16(m, 0), flags = read16(m, 2)
        guard flags & 0x8000 != 0 else { return .failure(.notAResponse) }
        let qd = Int(read16(m, 4)), an = Int(read16(m, 6)), ns = Int(read16(m, 8)), ar = Int(read16(m, 10))
        guard qd == 1 else { return .failure(.badQuestionCount) }
        guard let (qname, afterName) = DNSName.decode(m, at: 12), afterName + 4 <= m.count else { return .failure(.malformed) }
        let qtype = read16(m, afterName)
        var offset = afterName + 4
        var response = DNSResponse(id: id, truncated: flags & 0x0200 != 0, responseCode: UInt8(flags & 0x000F),
                                   questionName: qname, questionType: qtype, answers: [], authority: [], additional: [])
        func section(_ count: Int) -> [DNSRecord]? {
            var records: [DNSRecord] = []
            for _ in 0..<count {
                guard let (record, next) = decodeRecord(m, at: offset) else { return nil }
                offset = next
                if let record { records.append(record) }
            }
            return records
        }
        guard let answers = section(an) else { return .failure(.malformed) }
        response.answers = answers
        // A truncated response may end early: what came whole is kept.
        guard let authority = section(ns) else { return response.truncated ? .success(response) : .failure(.malformed) }
        response.authority = authority
        guard let additional = section(ar) else { return response.truncated ? .success(response) : .failure(.malformed) }
        response.additional = additional
        return .success(response)
    }

    /// One resource record; nil record (with its end) for OPT, which carries
    /// no answer; nil altogether when malformed.
    static func decodeRecord(_ m: [UInt8], at offset: Int) -> (DNSRecord?, Int)? {
        guard let (name, afterName) = DNSName.decode(m, at: offset), afterName + 10 <= m.count else { return nil }
        let type = read16(m, afterName), ttl = read32(m, afterName + 4), length = Int(read16(m, afterName + 8))
        let start = afterName + 10, end = start + length
        guard end <= m.count else { return nil }
        let data: DNSRecordData
        switch type {
        case DNSType.a.rawValue:
            guard length == 4 else { return nil }
            data = .a(IPv4Address(m[start], m[start + 1], m[start + 2], m[start + 3]))
        case DNSType.aaaa.rawValue:
            guard length == 16, let v6 = IPv6Address(bytes: Array(m[start..<end])) else { return nil }
            data = .aaaa(v6)
        case DNSType.cname.rawValue:
            guard let (target, after) = DNSName.decode(m, at: start), after <= end else { return nil }
            data = .cname(target)
        case DNSType.srv.rawValue:
            guard length >= 7, let (target, after) = DNSName.decode(m, at: start + 6), after <= end else { return nil }
            data = .srv(priority: read16(m, start), weight: read16(m, start + 2), port: read16(m, start + 4), target: target)
        case DNSType.opt.rawValue:
            return (nil, end)
        default:
            data = .other(type: type)
        }
        return (DNSRecord(name: name, ttl: ttl, data: data), end)
    }

    @inline(__always) static func read16(_ m: [UInt8], _ i: Int) -> UInt16 { UInt16(m[i]) << 8 | UInt16(m[i + 1]) }
    @inline(__always) static func read32(_ m: [UInt8], _ i: Int) -> UInt32 { UInt32(read16(m, i)) << 16 | UInt32(read16(m, i + 2)) }
    @inline(__always) static func append16(_ v: UInt16, _ out: inout [UInt8]) { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xFF)) }
    @inline(__always) static func append32(_ v: UInt32, _ out: inout [UInt8]) { append16(UInt16(v >> 16), &out); append16(UInt16(v & 0xFFFF), &out) }
}
