import FulcrumConfig

/// What HAProxy 2.6's protocol checks send and how they judge the answer
/// (its tcp-check rule sets for `option redis-check`, `ssl-hello-chk`,
/// `pgsql-check`, `ldap-check`, `smtpchk` and `mysql-check`, with their
/// statuses and messages). Pure.
public enum ProtocolCheckExchange {
    public enum Verdict: Equatable, Sendable {
        case needMore
        /// `code`: the L7 code HAProxy reports (0 unless the protocol gives one).
        case done(CheckStatus, info: String?, code: Int = 0)
        /// Send these bytes, forget what was received, judge the next step
        /// (HAProxy's tcp-check releases its input at each send).
        case send([UInt8])
    }

    /// The request bytes; `unixTime` is the ClientHello's gmt_unix_time.
    public static func request(_ check: ProtocolCheck, unixTime: UInt32) -> [UInt8] {
        switch check {
        case .redis:
            return Array("*1\r\n$4\r\nPING\r\n".utf8)
        case .ldap:
            return [0x30, 0x0C, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00]
        case .pgsql(let user):
            // Length, protocol 3.0, "user\0", the user name, "\0", "\0".
            let body: [UInt8] = [0, 3, 0, 0] + Array("user".utf8) + [0] + Array(user.utf8) + [0, 0]
            let length = UInt32(body.count + 4)
            return withUnsafeBytes(of: length.bigEndian) { Array($0) } + body
        case .sslHello:
            // An SSLv3 ClientHello: the record and handshake headers, version
            // 3.0, the time, HAProxy's 28 "random" bytes, no session id, 39
            // cipher suites, null compression.
            var out: [UInt8] = [0x16, 0x03, 0x00, 0x00, 0x79, 0x01, 0x00, 0x00, 0x75, 0x03, 0x00]
            out += withUnsafeBytes(of: unixTime.bigEndian) { Array($0) }
            out += Array("HAPROXYSSLCHK\nHAPROXYSSLCHK\n".utf8)
            out += [0x00, 0x00, 0x4E]
            for suite in Array(0x01...0x1B) + Array(0x2F...0x3A) { out += [0x00, UInt8(suite)] }
            out += [0x01, 0x00]
            return out
        case .smtp:
            return []
        case .mysql(let user, let post41):
            return MySQLCheckExchange.request(user: user, post41: post41)
        }
    }

    /// Judges what the server sent so far (`complete`: no more will come);
    /// `step` counts the `.send` verdicts given before.
    public static func judge(_ check: ProtocolCheck, _ r: [UInt8], complete: Bool, step: Int = 0) -> Verdict {
        switch check {
        case .smtp(let command):
            return SMTPCheckExchange.judge(command: command, r, complete: complete, step: step)
        case .mysql(let user, _):
            return MySQLCheckExchange.judge(user: user, r, complete: complete)
        case .redis:
            // expect string "+PONG\r\n", error-status L7STS.
            if TCPCheck.contains(r, Array("+PONG\r\n".utf8)) { return .done(.l7ok, info: "Redis server is ok") }
            guard complete else { return .needMore }
            return .done(.l7status, info: firstLine(r[...]))
        case .sslHello:
            // expect rbinary "^1[56]" min-recv 5, error-status L6RSP.
            guard r.count >= 5 || complete else { return .needMore }
            return r.first == 0x15 || r.first == 0x16 ? .done(.l6ok, info: nil) : .done(.l6response, info: nil)
        case .pgsql:
            // expect !rstring "^E" min-recv 5 (L7RSP, the error text), then an
            // authentication request 'R' with a known method (L7STS).
            guard r.count >= 5 || complete else { return .needMore }
            if r.first == UInt8(ascii: "E") { return .done(.l7response, info: String(decoding: r.dropFirst(6).prefix { $0 != 0 }, as: UTF8.self)) }
            guard r.count >= 9 || complete else { return .needMore }
            let methods: Set<UInt8> = [0, 2, 3, 4, 5, 6, 7, 9, 0x0A]
            if r.count >= 9, r[0] == UInt8(ascii: "R"), r[1] == 0, r[2] == 0, r[3] == 0,
               r[5] == 0, r[6] == 0, r[7] == 0, methods.contains(r[8]) {
                return .done(.l7ok, info: "PostgreSQL server is ok")
            }
            return .done(.l7status, info: "PostgreSQL unknown error")
        case .ldap:
            // expect rbinary "^30" min-recv 14, then a BindResponse with resultCode 0.
            guard r.count >= 14 || complete else { return .needMore }
            guard r.first == 0x30 else { return .done(.l7response, info: "Not LDAPv3 protocol") }
            return ldapBindResponse(r)
        }
    }

    /// HAProxy's tcpcheck_ldap_expect_bindrsp: a message id, then a
    /// BindResponse (0x61) whose resultCode is 0.
    static func ldapBindResponse(_ r: [UInt8]) -> Verdict {
        var i = 1
        guard i < r.count else { return .done(.l7response, info: "Not LDAPv3 protocol") }
        // The message's length: short form, or long form (0x8N then N bytes).
        if r[i] & 0x80 != 0 { i += 1 + Int(r[i] & 0x7F) } else { i += 1 }
        // messageID: 02 01 xx
        guard i + 3 <= r.count, r[i] == 0x02, r[i + 1] == 0x01 else { return .done(.l7response, info: "Not LDAPv3 protocol") }
        i += 3
        guard i + 2 <= r.count, r[i] == 0x61 else { return .done(.l7response, info: "Not LDAPv3 protocol") }
        i += 1
        if r[i] & 0x80 != 0 { i += 1 + Int(r[i] & 0x7F) } else { i += 1 }
        // resultCode: 0A 01 xx
        guard i + 3 <= r.count, r[i] == 0x0A, r[i + 1] == 0x01 else { return .done(.l7response, info: "Not LDAPv3 protocol") }
        let result = Int(r[i + 2])
        // HAProxy leaves the description of a successful bind empty (last_chk).
        return result == 0 ? .done(.l7ok, info: nil)
            : .done(.l7status, info: "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9", code: result)
    }

    private static func firstLine(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
    }
}
