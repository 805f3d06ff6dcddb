import FulcrumConfig

/// `option mysql-check`: HAProxy 2.6's "*mysql-check" rule sets. With a
/// user, the authentication packet (and COM_QUIT) go out at once; then the
/// server's initial handshake packet is judged, and with a user the packet
/// after it: an error packet (0xff) is L7STS with its error number as the
/// code and the rest of what was read as the text; a short or cut packet at
/// the end of the connection is L7RSP; otherwise L7OK with the server
/// version from the handshake. Pure.
enum MySQLCheckExchange {
    /// What goes out first: nothing without a user.
    static func request(user: String?, post41: Bool) -> [UInt8] {
        guard let user else { return [] }
        let name = Array(user.utf8)
        var body: [UInt8]
        if post41 {
            // Capabilities 0x00008200, max packet 0x01008000 (as HAProxy's
            // hex, "00820000" "00800001"), UTF-8, 23 zero bytes.
            body = [0x00, 0x82, 0x00, 0x00, 0x00, 0x80, 0x00, 0x01, 0x21] + [UInt8](repeating: 0, count: 23)
        } else {
            body = [0x00, 0x80, 0x00, 0x00, 0x01]
        }
        body += name + [0, 0]
        let length = body.count
        let header: [UInt8] = [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), 1]
        // COM_QUIT: length 1, sequence 0, command 0x01.
        return header + body + [0x01, 0x00, 0x00, 0x00, 0x01]
    }

    static func judge(user: String?, _ r: [UInt8], complete: Bool) -> ProtocolCheckExchange.Verdict {
        if r.isEmpty && complete {
            // The first expect rule's "empty response": step 2 (connect, expect) or 3 (connect, send, expect).
            return .done(.l7response, info: "TCPCHK got an empty response at step \(user == nil ? 2 : 3)")
        }
        switch packet(r, at: 0, complete: complete) {
        case .needMore: return .needMore
        case .failed(let verdict): return verdict
        case .ok(let length):
            // HAProxy's passing mysql-check leaves no description (last_chk).
            guard user != nil else { return .done(.l7ok, info: nil) }
            switch packet(r, at: length, complete: complete) {
            case .needMore: return .needMore
            case .failed(let verdict): return verdict
            case .ok: return .done(.l7ok, info: nil)
            }
        }
    }

    private enum Packet { case needMore, failed(ProtocolCheckExchange.Verdict), ok(length: Int) }

    /// HAProxy's tcpcheck_mysql_expect_packet at `offset`.
    private static func packet(_ r: [UInt8], at offset: Int, complete: Bool) -> Packet {
        guard r.count >= offset + 4 else { return complete ? .failed(.done(.l7response, info: nil)) : .needMore }
        let length = Int(r[offset]) | Int(r[offset + 1]) << 8 | Int(r[offset + 2]) << 16
        guard r.count >= offset + length + 4 else { return complete ? .failed(.done(.l7response, info: nil)) : .needMore }
        if r[offset + 4] == 0xFF {
            let code = r.count > offset + 6 ? Int(r[offset + 5]) | Int(r[offset + 6]) << 8 : 0
            // The rest of the buffer, read as a C string.
            let text = r.count > offset + 7 ? String(decoding: r[(offset + 7)...].prefix { $0 != 0 }, as: UTF8.self) : ""
            return .failed(.done(.l7status, info: text, code: code))
        }
        return .ok(length: offset + length + 4)
    }
}
