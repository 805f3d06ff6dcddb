import FulcrumBytes

/// Record types the resolver asks for or follows.
public enum DNSType: UInt16, Sendable {
    case a = 1, cname = 5, aaaa = 28, srv = 33, opt = 41, any = 255
}

/// Response codes (RFC 1035 4.1.1, RFC 6891 extends them with OPT).
public enum DNSResponseCode: UInt8, Sendable {
    case noError = 0, formatError = 1, serverFailure = 2, nameError = 3, notImplemented = 4, refused = 5
}

/// One answer the resolver understands; other types are skipped.
public enum DNSRecordData: Equatable, Sendable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case cname(String)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    case other(type: UInt16)
}

public struct DNSRecord: Equatable, Sendable {
    public var name: String
    public var ttl: UInt32
    public var data: DNSRecordData
    public init(name: String, ttl: UInt32, data: DNSRecordData) { self.name = name; self.ttl = ttl; self.data = data }
}

/// A decoded response: the header bits the resolver judges and the three
/// record sections (the additional one holds the A/AAAA of SRV targets).
public struct DNSResponse: Equatable, Sendable {
    public var id: UInt16
    public var truncated: Bool
    public var responseCode: UInt8
    public var questionName: String
    public var questionType: UInt16
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]
    public var additional: [DNSRecord]
}

/// Why a datagram is not a usable answer (HAProxy's resolver counters:
/// `invalid`, `too_big`, `cname_error`, `any_err`...).
public enum DNSDecodeError: Error, Equatable, Sendable {
    case tooShort
    case notAResponse
    case badQuestionCount
    case malformed
}
