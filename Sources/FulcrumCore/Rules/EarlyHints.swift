/// `http-request early-hint NAME FMT`: HAProxy 2.6 answers each such rule
/// with its own "103 Early Hints" interim response carrying the one field,
/// in rule order, before the final response; an HTTP/1.0 client gets none
/// (it knows no interim responses).
public enum EarlyHints {
    static let statusLine: [UInt8] = Array("HTTP/1.1 103 Early Hints\r\n".utf8)

    public static func append(name: [UInt8], value: [UInt8], to out: inout [UInt8]) {
        out += statusLine
        out += name
        out += [0x3A, 0x20]
        out += value
        out += [0x0D, 0x0A, 0x0D, 0x0A]
    }
}
