/// `tcp-check expect` rules and the info texts HAProxy 2.6 gives tcp-check
/// results. Pure: the checker sends, receives, and calls `match`.
public enum TCPCheck {
    public enum Matcher: Sendable {
        /// A substring of what the server sent so far.
        case string(String)
        /// A regular expression on what the server sent.
        case rstring(CheckRegex)
        /// A byte substring (`binary HEX`, decoded).
        case binary([UInt8])
        /// A regular expression on the upper-case hex dump of what was sent.
        case rbinary(CheckRegex)
    }

    public enum MatchOutcome: Equatable, Sendable {
        case needMore
        case matched
        case failed(CheckResult)
    }

    /// What a tcp-check rule is, for error texts.
    public enum RuleKind: Sendable {
        case connect(port: Int?)
        case send
        case expect(Matcher)
    }

    /// One expect rule against everything received so far. `complete`: the
    /// server closed or the buffer is full. `step`: the rule's 1-based position
    /// among the configured rules (an implicit first connect is not counted).
    /// A mismatch waits for more data until `complete`, so a negated rule only
    /// passes once the server has closed.
    public static func match(_ received: [UInt8], matcher: Matcher, negated: Bool, complete: Bool,
                             step: Int, durationMs: Int) -> MatchOutcome {
        let found: Bool
        switch matcher {
        case .string(let text):
            let needle = Array(text.utf8)
            if !complete && received.count < needle.count { return .needMore }
            found = contains(received, needle)
        case .binary(let needle):
            if !complete && received.count < needle.count { return .needMore }
            found = contains(received, needle)
        case .rstring(let regex):
            found = regex.matches(received)
        case .rbinary(let regex):
            found = regex.matches(hexDump(received))
        }
        if !found && !complete { return .needMore }
        if found != negated { return .matched }
        var info = found ? "TCPCHK matched unwanted content" : "TCPCHK did not match content"
        switch matcher {
        case .string(let text): info += " '\(text)'"
        case .binary: info += " (binary)"
        case .rstring: info += " (regex)"
        case .rbinary: info += " (binary regex)"
        }
        info += " at step \(step)"
        return .failed(CheckResult(status: .l7response, info: info, durationMs: durationMs))
    }

    /// The result when every rule passed: L7OK code 0 "(tcp-check)", or L4OK
    /// when the last rule was an explicit connect.
    public static func passedResult(lastRuleIsConnect: Bool, durationMs: Int) -> CheckResult {
        lastRuleIsConnect
            ? CheckResult(status: .l4ok, info: "(tcp-check)", durationMs: durationMs)
            : CheckResult(status: .l7ok, code: 0, info: "(tcp-check)", durationMs: durationMs)
    }

    /// The text HAProxy appends to a connection error or timeout of an
    /// `option tcp-check` check (after strerror when there is an errno):
    /// step 0 is the implicit first connect.
    public static func errorContext(step: Int, rule: RuleKind?) -> String {
        guard step > 0 else { return " at initial connection step of tcp-check" }
        var text = " at step \(step) of tcp-check"
        switch rule {
        case .connect(let port)?: text += port.map { " (connect port \($0))" } ?? " (connect)"
        case .send?: text += " (send)"
        case .expect(.string(let s))?: text += " (expect string '\(s)')"
        case .expect(.binary(let b))?: text += " (expect binary '\(String(decoding: b, as: UTF8.self))')"
        case .expect(.rstring)?: text += " (expect regex)"
        case .expect(.rbinary)?: text += " (expect binary regex)"
        case nil: break
        }
        return text
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        for i in 0...(haystack.count - needle.count) where haystack[i] == first {
            var j = 1
            while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
            if j == needle.count { return true }
        }
        return false
    }

    static func hexDump(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
