import FulcrumBytes
import FulcrumConfig

/// The fetches of TCP content inspection (`req.len`, `req.payload`,
/// `req.payload_lv`, `req.ssl_sni`, `req.ssl_alpn`, `req.ssl_ver`,
/// `req.ssl_hello_type`), read from the bytes a mode tcp stream has
/// received so far. Besides its samples, each says whether its answer may
/// still change with more bytes (HAProxy's SMP_F_MAY_CHANGE): that is what
/// makes `tcp-request content` rules wait until inspect-delay expires.
public enum PayloadFetch: Sendable, Equatable {
    case length
    /// `req.payload(offset,length)`; length 0: up to the end of what is there.
    case bytes(offset: Int, length: Int)
    /// `req.payload_lv(offset1,length1[,offset2])`: a big-endian length field
    /// of `fieldSize` bytes at `fieldOffset`, then that many bytes at
    /// `blockOffset` (absolute), or right after the field moved by
    /// `blockOffset` when `relative` (no third argument: relative 0).
    case lengthValue(fieldOffset: Int, fieldSize: Int, blockOffset: Int, relative: Bool)
    case sslSNI, sslALPN, sslVersion, sslHelloType

    static let names: Set<String> = [
        "req.len", "req_len", "req.ssl_sni", "req_ssl_sni", "req.ssl_alpn", "req.ssl_ver", "req_ssl_ver",
        "req.ssl_hello_type", "req_ssl_hello_type", "req.payload", "req.payload_lv",
        // The same reads of what a server sent (`tcp-response content`).
        "res.len", "res.payload", "res.payload_lv",
    ]

    /// One of `names` with its arguments checked.
    init(name: String, arguments a: [String]) throws {
        func ints() throws -> [Int] {
            try a.map { s in
                guard let v = Int(s.hasPrefix("+") ? String(s.dropFirst()) : s) else { throw HTTPRulesError("fetch '\(name)': '\(s)' is not an integer") }
                return v
            }
        }
        switch name {
        case "req.len", "req_len", "res.len":
            guard a.isEmpty else { throw HTTPRulesError("fetch '\(name)' takes no argument") }
            self = .length
        case "req.ssl_sni", "req_ssl_sni": self = .sslSNI
        case "req.ssl_alpn": self = .sslALPN
        case "req.ssl_ver", "req_ssl_ver": self = .sslVersion
        case "req.ssl_hello_type", "req_ssl_hello_type": self = .sslHelloType
        case "req.payload", "res.payload":
            let v = try ints()
            guard v.count == 2, v[0] >= 0, v[1] >= 0 else { throw HTTPRulesError("fetch '\(name)' expects (<offset>,<length>)") }
            self = .bytes(offset: v[0], length: v[1])
        case "req.payload_lv", "res.payload_lv":
            let v = try ints()
            guard (2...3).contains(v.count), v[0] >= 0, (1...4).contains(v[1]) else {
                throw HTTPRulesError("fetch '\(name)' expects (<offset1>,<length1>[,<offset2>])")
            }
            let relative = v.count == 2 || a[2].hasPrefix("+") || a[2].hasPrefix("-")
            self = .lengthValue(fieldOffset: v[0], fieldSize: v[1], blockOffset: v.count == 3 ? v[2] : 0, relative: relative)
        default: throw HTTPRulesError("unknown sample fetch '\(name)'")
        }
        if case .length = self { return }
        if a.isEmpty { return }
        switch self {
        case .bytes, .lengthValue: return
        default: throw HTTPRulesError("fetch '\(name)' takes no argument")
        }
    }

    public struct Outcome: Equatable {
        /// `body` returned true for a sample.
        public var matched: Bool
        /// More bytes could change the answer (wait, unless the evaluation is final).
        public var mayChange: Bool
    }

    /// Calls `body` with each sample read from `payload` until it returns
    /// true. `limit`: the most bytes the stream's buffer holds (what is
    /// longer is judged on what fits, as HAProxy does with a full buffer).
    public func forEach(_ payload: ArraySlice<UInt8>, limit: Int, _ body: (Sample) -> Bool) -> Outcome {
        let n = payload.count, base = payload.startIndex
        func bytes(_ r: Range<Int>) -> Sample { .bytes(payload[(base + r.lowerBound)..<(base + r.upperBound)]) }
        switch self {
        case .length:
            return Outcome(matched: body(.integer(Int64(n))), mayChange: true)
        case .bytes(let offset, let length):
            guard offset + length <= limit else { return Outcome(matched: false, mayChange: false) }
            guard offset + length <= n, offset <= n else { return Outcome(matched: false, mayChange: true) }
            let end = length == 0 ? n : offset + length
            return Outcome(matched: body(bytes(offset..<end)), mayChange: length == 0)
        case .lengthValue(let fieldOffset, let fieldSize, let blockOffset, let relative):
            guard fieldOffset + fieldSize <= n else { return Outcome(matched: false, mayChange: true) }
            var size = 0
            for i in 0..<fieldSize { size = size << 8 | Int(payload[base + fieldOffset + i]) }
            let start = relative ? fieldOffset + fieldSize + blockOffset : blockOffset
            guard size > 0, start >= 0, start + size <= limit else { return Outcome(matched: false, mayChange: false) }
            guard start + size <= n else { return Outcome(matched: false, mayChange: true) }
            return Outcome(matched: body(bytes(start..<(start + size))), mayChange: false)
        case .sslSNI, .sslALPN, .sslVersion, .sslHelloType:
            return payload.withUnsafeBytes { b in hello(b, limit: limit, bytes, body) }
        }
    }

    private func hello(_ b: UnsafeRawBufferPointer, limit: Int, _ bytes: (Range<Int>) -> Sample,
                       _ body: (Sample) -> Bool) -> Outcome {
        func outcome<T>(_ a: ClientHelloPeek.Answer<T>, _ yield: (T) -> Bool) -> Outcome {
            switch a {
            case .value(let v): return Outcome(matched: yield(v), mayChange: false)
            case .needMore: return Outcome(matched: false, mayChange: true)
            case .notTLS, .absent: return Outcome(matched: false, mayChange: false)
            }
        }
        switch self {
        case .sslSNI: return outcome(ClientHelloPeek.serverName(b)) { body(bytes($0)) }
        case .sslALPN:
            return outcome(ClientHelloPeek.alpnList(b)) { list in
                ClientHelloPeek.forEachProtocol(b, in: list) { body(bytes($0)) }
            }
        case .sslVersion: return outcome(ClientHelloPeek.version(b, limit: limit)) { body(.integer(Int64($0))) }
        default: return outcome(ClientHelloPeek.helloType(b)) { body(.integer(Int64($0))) }
        }
    }
}
