import FulcrumConfig

/// `option smtpchk`: HAProxy 2.6's "*smtp-check" rule set. The greeting
/// must be a reply line (`^[0-9]{3}[ \r]`, else L7RSP with its first line)
/// and a 2xx one (else L7STS, the code and the text after it); then the
/// HELO/EHLO command goes out and its whole reply must be 2xx
/// (`^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]`, awaited until the server
/// closes, else L7STS); then QUIT, whose reply gives the verdict
/// (`^2[0-9]{2}[- \r]`): L7OK with its code and text, or L7STS. Pure.
enum SMTPCheckExchange {
    /// Step 0 judges the greeting, step 1 the command's reply, step 2 QUIT's.
    static func judge(command: String, _ r: [UInt8], complete: Bool, step: Int) -> ProtocolCheckExchange.Verdict {
        if r.isEmpty && complete {
            // tcp-check's "empty response" at the expect rules (indexes 1, 4 and 6).
            return .done(step == 0 ? .l7response : .l7status, info: "TCPCHK got an empty response at step \([2, 5, 7][min(step, 2)])")
        }
        switch step {
        case 0:
            guard r.count >= 4 || complete else { return .needMore }
            guard isReply(r[...], codeFirst: nil, separators: [32, 13]) else {
                return .done(.l7response, info: line(r[...]))
            }
            guard isReply(r[...], codeFirst: UInt8(ascii: "2"), separators: [32, 13]) else {
                return .done(.l7status, info: text(r), code: code(r))
            }
            return .send(Array((command + "\r\n").utf8))
        case 1:
            if isWholePositiveReply(r) { return .send(Array("QUIT\r\n".utf8)) }
            guard complete else { return .needMore }
            return .done(.l7status, info: text(r), code: code(r))
        default:
            guard r.count >= 4 || complete else { return .needMore }
            guard isReply(r[...], codeFirst: UInt8(ascii: "2"), separators: [45, 32, 13]) else {
                return .done(.l7status, info: text(r), code: code(r))
            }
            return .done(.l7ok, info: text(r), code: code(r))
        }
    }

    /// `^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]`: continuation lines, then a last line.
    private static func isWholePositiveReply(_ r: [UInt8]) -> Bool {
        var p = r[...]
        while isReply(p, codeFirst: UInt8(ascii: "2"), separators: [45]) {
            guard let cr = p.firstIndex(of: 13), cr + 1 < p.endIndex, p[cr + 1] == 10 else { return false }
            p = p[(cr + 2)...]
        }
        return isReply(p, codeFirst: UInt8(ascii: "2"), separators: [32, 13])
    }

    /// Three digits (the first one `codeFirst` when given), then one of `separators`.
    private static func isReply(_ r: ArraySlice<UInt8>, codeFirst: UInt8?, separators: Set<UInt8>) -> Bool {
        let s = r.startIndex
        guard r.count >= 4, r[s..<(s + 3)].allSatisfy({ $0 >= 48 && $0 <= 57 }), separators.contains(r[s + 3]) else { return false }
        return codeFirst.map { r[s] == $0 } ?? true
    }

    /// `res.payload(0,3)` as an integer (0 when it is not one).
    private static func code(_ r: [UInt8]) -> Int {
        var n = 0
        for b in r.prefix(3) { guard b >= 48 && b <= 57 else { return 0 }; n = n * 10 + Int(b - 48) }
        return n
    }

    /// `res.payload(4,0),ltrim(' '),cut_crlf`.
    private static func text(_ r: [UInt8]) -> String {
        line(r.dropFirst(4).drop { $0 == 32 })
    }

    /// Up to the first CR or LF (`cut_crlf`).
    private static func line(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
    }
}
