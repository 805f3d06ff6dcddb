/// What HAProxy 2.6's TLS-peeking fetches return from the first bytes of a
/// TCP stream (`req.ssl_hello_type`, `req.ssl_ver`, `req.ssl_sni`,
/// `req.ssl_alpn`), with the same checks in the same order, so SNI routing
/// without termination (`tcp-request inspect-delay` + `use_backend if {
/// req_ssl_sni ... }`) decides as HAProxy does. `.needMore` is HAProxy's
/// "may change" (wait for more bytes until inspect-delay expires).
public enum ClientHelloPeek {
    public enum Answer<Value> {
        case value(Value)
        /// Not enough bytes yet to decide.
        case needMore
        /// Not a TLS handshake record / ClientHello (the fetch fails).
        case notTLS
        /// A ClientHello without that extension (the fetch fails too).
        case absent
    }

    /// `req.ssl_hello_type`: the handshake message type of the first
    /// record (1 for a ClientHello), once the whole message is there.
    public static func helloType(_ b: UnsafeRawBufferPointer) -> Answer<Int> {
        let n = b.count
        guard n > 0 else { return .needMore }
        guard (0x14...0x17).contains(b[0]) || b[0] == 0xFF else { return .notTLS }
        guard n >= 9 else { return .needMore }
        guard (Int(b[1]) << 16) + Int(b[2]) >= 0x30000 else { return .notTLS }
        guard (Int(b[3]) << 8) + Int(b[4]) >= 4 else { return .notTLS }
        let length = (Int(b[6]) << 16) + (Int(b[7]) << 8) + Int(b[8])
        guard n >= 9 + length else { return .needMore }
        return .value(Int(b[5]))
    }

    /// `req.ssl_ver`: major × 65536 + minor of the ClientHello's
    /// client_version (SSLv2-format hellos too), once the record is there.
    /// - limit: the most bytes the request buffer can hold (a longer record
    ///   is judged on what fits).
    public static func version(_ b: UnsafeRawBufferPointer, limit: Int) -> Answer<Int> {
        var left = b.count
        guard left > 0 else { return .needMore }
        var p = 0
        var version: Int
        var messageLength: Int
        if (0x14...0x17).contains(b[0]) || b[0] == 0xFF {
            guard left >= 11 else { return .needMore }
            version = (Int(b[1]) << 16) + Int(b[2])
            messageLength = (Int(b[3]) << 8) + Int(b[4])
            guard version >= 0x30000 else { return .notTLS }
            guard messageLength >= 6, messageLength <= (1 << 14) + 2048 else { return .notTLS }
            left -= 5; p += 5
            version = (Int(b[p + 4]) << 16) + Int(b[p + 5])
        } else {
            let recordLength: Int, padding: Int
            if b[0] & 0x80 != 0 {
                guard left >= 3 else { return .needMore }
                recordLength = (Int(b[0] & 0x7F) << 8) | Int(b[1])
                padding = 0
                left -= 2; p += 2
            } else {
                guard left >= 4 else { return .needMore }
                recordLength = (Int(b[0] & 0x3F) << 8) | Int(b[1])
                padding = Int(b[2])
                left -= 3; p += 3
            }
            guard b[p] == 0x01 else { return .notTLS }
            left -= 1; p += 1
            guard left >= 8 else { return .needMore }
            version = (Int(b[p]) << 16) + Int(b[p + 1])
            let ciphers = (Int(b[p + 2]) << 8) + Int(b[p + 3])
            let session = (Int(b[p + 4]) << 8) + Int(b[p + 5])
            let challenge = (Int(b[p + 6]) << 8) + Int(b[p + 7])
            left -= 8
            guard ciphers % 3 == 0, session == 0 || session == 16, (16...32).contains(challenge),
                  recordLength == 9 + ciphers + session + challenge else { return .notTLS }
            messageLength = ciphers + session + challenge + padding
        }
        guard left >= min(messageLength, limit) else { return .needMore }
        return .value(version)
    }

    /// `req.ssl_sni`: the host_name of the server_name extension, as a
    /// range of `b` (no copy; HAProxy returns it as sent, case kept).
    public static func serverName(_ b: UnsafeRawBufferPointer) -> Answer<Range<Int>> {
        var result: Answer<Range<Int>> = .absent
        let walk: Answer<Range<Int>>? = extensions(b) { type, start, length in
            guard type == 0 else { return true }
            guard length >= 2 else { result = .notTLS; return false }
            let listLength = (Int(b[start]) << 8) + Int(b[start + 1])
            guard listLength >= 4, listLength <= length - 2 else { result = .notTLS; return false }
            let nameType = b[start + 2]
            let nameLength = (Int(b[start + 3]) << 8) + Int(b[start + 4])
            guard nameType == 0 else { return true }
            guard start + 5 + nameLength <= start + length else { result = .notTLS; return false }
            result = .value((start + 5)..<(start + 5 + nameLength))
            return false
        }
        if let walk { return walk }
        return result
    }

    /// `req.ssl_alpn`: the ALPN extension's protocol name list (each name
    /// behind its length byte), checked whole, as a range of `b`; walk it
    /// with `forEachProtocol` (no array per connection).
    public static func alpnList(_ b: UnsafeRawBufferPointer) -> Answer<Range<Int>> {
        var result: Answer<Range<Int>> = .absent
        let walk: Answer<Range<Int>>? = extensions(b) { type, start, length in
            guard type == 16 else { return true }
            guard length >= 2 else { result = .notTLS; return false }
            let listLength = (Int(b[start]) << 8) + Int(b[start + 1])
            guard listLength <= length - 2 else { result = .notTLS; return false }
            let list = (start + 2)..<(start + 2 + listLength)
            var p = list.lowerBound
            while p < list.upperBound {
                let l = Int(b[p])
                guard l > 0, p + 1 + l <= list.upperBound else { result = .notTLS; return false }
                p += 1 + l
            }
            result = list.isEmpty ? .absent : .value(list)
            return false
        }
        if let walk { return walk }
        return result
    }

    /// The names of a list `alpnList` checked, in the client's order, until
    /// `body` returns true; returns whether it did.
    @discardableResult
    public static func forEachProtocol(_ b: UnsafeRawBufferPointer, in list: Range<Int>,
                                       _ body: (Range<Int>) -> Bool) -> Bool {
        var p = list.lowerBound
        while p < list.upperBound {
            let l = Int(b[p])
            if body((p + 1)..<(p + 1 + l)) { return true }
            p += 1 + l
        }
        return false
    }

    /// Walks the ClientHello's extensions with HAProxy's checks; `visit`
    /// gets (type, data offset, data length) and returns false to stop.
    /// Returns nil when the walk ran (the visitor decided), else why not.
    private static func extensions<T>(_ b: UnsafeRawBufferPointer,
                                      _ visit: (Int, Int, Int) -> Bool) -> Answer<T>? {
        let n = b.count
        guard n > 0 else { return .needMore }
        guard b[0] == 0x16 else { return .notTLS }
        guard n >= 3 else { return .needMore }
        guard b[1] >= 0x03 else { return .notTLS }
        guard n >= 5 else { return .needMore }
        guard (Int(b[3]) << 8) + Int(b[4]) >= 1 + 3 + 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2 else { return .notTLS }
        var p = 5
        guard n >= p + 1 else { return .needMore }
        guard b[p] == 0x01 else { return .notTLS }
        guard n >= p + 4 else { return .needMore }
        var length = (Int(b[p + 1]) << 16) + (Int(b[p + 2]) << 8) + Int(b[p + 3])
        guard length >= 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2 else { return .notTLS }
        p += 4
        // The whole message (HAProxy compares before skipping the 4-byte
        // header; Fulcrum waits for every byte it will read).
        guard n >= p + length else { return .needMore }
        guard b[p] >= 0x03, b[p + 1] >= 0x01 else { return .notTLS }
        let session = Int(b[p + 34])
        guard session <= 32, session <= length - 35 else { return .notTLS }
        length -= 35 + session; p += 35 + session
        guard length >= 4 else { return .notTLS }
        let ciphers = (Int(b[p]) << 8) + Int(b[p + 1])
        guard ciphers >= 2, ciphers <= length else { return .notTLS }
        length -= 2 + ciphers; p += 2 + ciphers
        guard length >= 2, b[p] >= 1, Int(b[p]) <= length else { return .notTLS }
        let methods = Int(b[p])
        length -= 1 + methods; p += 1 + methods
        guard length >= 2 else { return .notTLS }
        let extensionsLength = (Int(b[p]) << 8) + Int(b[p + 1])
        guard extensionsLength <= length - 2 else { return .notTLS }
        length = extensionsLength; p += 2
        while length >= 4 {
            let type = (Int(b[p]) << 8) + Int(b[p + 1])
            let size = (Int(b[p + 2]) << 8) + Int(b[p + 3])
            guard size <= length - 4 else { return .notTLS }
            if !visit(type, p + 4, size) { return nil }
            length -= 4 + size; p += 4 + size
        }
        return nil
    }
}

extension ClientHelloPeek {
    /// Convenience for tests and callers holding an array.
    public static func serverName(_ bytes: [UInt8]) -> Answer<String> {
        bytes.withUnsafeBytes { b in
            switch serverName(b) {
            case .value(let r): return .value(String(decoding: b[r], as: UTF8.self))
            case .needMore: return .needMore
            case .notTLS: return .notTLS
            case .absent: return .absent
            }
        }
    }

    public static func alpn(_ bytes: [UInt8]) -> Answer<[String]> {
        bytes.withUnsafeBytes { b in
            switch alpnList(b) {
            case .value(let list):
                var names: [String] = []
                forEachProtocol(b, in: list) { names.append(String(decoding: b[$0], as: UTF8.self)); return false }
                return .value(names)
            case .needMore: return .needMore
            case .notTLS: return .notTLS
            case .absent: return .absent
            }
        }
    }

    public static func helloType(_ bytes: [UInt8]) -> Answer<Int> { bytes.withUnsafeBytes { helloType($0) } }
    public static func version(_ bytes: [UInt8], limit: Int) -> Answer<Int> { bytes.withUnsafeBytes { version($0, limit: limit) } }
}

extension ClientHelloPeek.Answer: Equatable where Value: Equatable {}
extension ClientHelloPeek.Answer: Sendable where Value: Sendable {}
