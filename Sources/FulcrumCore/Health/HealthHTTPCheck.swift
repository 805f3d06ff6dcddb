/// `option httpchk` / `http-check`: the request HAProxy 2.6 sends and how it
/// judges the response. Pure: the checker does the I/O.
public enum HTTPCheck {
    /// `http-check expect [!] <matcher> <pattern>`.
    public struct Expect: Sendable {
        public enum Matcher: Sendable {
            /// Status codes and ranges; a code is a one-element range.
            case status([ClosedRange<Int>])
            /// A regular expression on the three status digits.
            case rstatus(CheckRegex)
            /// A substring of the body.
            case string(String)
            /// A regular expression on the body.
            case rstring(CheckRegex)
        }
        /// `!`: the check fails when the matcher matches.
        public var negated: Bool
        public var matcher: Matcher
        public init(negated: Bool = false, matcher: Matcher) { self.negated = negated; self.matcher = matcher }

        /// Without an expect rule HAProxy accepts 2xx and 3xx.
        public static let haproxyDefault = Expect(matcher: .status([200...399]))
    }

    /// The request bytes as HAProxy's H1 layer writes them: header names in
    /// lower case, "content-length" when there is a body, "connection: close"
    /// on HTTP/1.1 (not on 1.0), no Host unless configured.
    public static func request(method: String, uri: String, version: String,
                               headers: [(String, String)], body: String?) -> [UInt8] {
        var text = "\(method) \(uri) \(version)\r\n"
        var hasLength = false, hasConnection = false
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "content-length" { hasLength = true }
            if lower == "connection" { hasConnection = true }
            text += "\(lower): \(value)\r\n"
        }
        let bodyBytes = Array((body ?? "").utf8)
        if !bodyBytes.isEmpty && !hasLength { text += "content-length: \(bodyBytes.count)\r\n" }
        if version.uppercased() == "HTTP/1.1" && !hasConnection { text += "connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8) + bodyBytes
    }

    /// Judges a response received so far. `complete`: the server closed (or
    /// the receive buffer is full), so no more bytes will come. Returns nil
    /// while more bytes are needed: status rules decide once the headers are
    /// in; body rules wait for a match or for the end of the message.
    /// - disableOn404: `http-check disable-on-404` and the server is not
    ///   DOWN: a 404 passes conditionally (L7OKC), before any expect rule.
    public static func evaluate(_ response: [UInt8], complete: Bool, expect: Expect?, durationMs: Int,
                                disableOn404: Bool = false) -> CheckResult? {
        let parsed: HealthHTTPResponse
        switch HealthHTTPResponse.parse(response) {
        case .malformed:
            return CheckResult(status: .l7response, durationMs: durationMs)
        case .needMore:
            return complete ? CheckResult(status: .l7response, durationMs: durationMs) : nil
        case .parsed(let r):
            parsed = r
        }
        let rule = expect ?? .haproxyDefault
        let code = parsed.status
        let reason: String? = parsed.reason.isEmpty ? nil : parsed.reason
        if disableOn404 && code == 404 {
            return CheckResult(status: .l7okCondition, code: code, info: reason, durationMs: durationMs)
        }
        let passed = CheckResult(status: .l7ok, code: code, durationMs: durationMs)

        switch rule.matcher {
        case .status(let ranges):
            let match = ranges.contains { $0.contains(code) }
            return match != rule.negated ? passed
                : CheckResult(status: .l7status, code: code, info: reason, durationMs: durationMs)
        case .rstatus(let regex):
            let match = regex.matches(statusDigits(code))
            return match != rule.negated ? passed
                : CheckResult(status: .l7status, code: code, info: reason, durationMs: durationMs)
        case .string, .rstring:
            let lastRead = complete || parsed.bodyComplete
            let body = parsed.body
            if body.isEmpty {
                guard lastRead else { return nil }
                return CheckResult(status: .l7response, code: code,
                                   info: "HTTP content check could not find a response body", durationMs: durationMs)
            }
            let match: Bool
            switch rule.matcher {
            case .string(let needle):
                let bytes = Array(needle.utf8)
                if !lastRead && body.count < bytes.count { return nil }
                match = TCPCheck.contains(body, bytes)
            case .rstring(let regex):
                match = regex.matches(body)
            default:
                preconditionFailure("status matchers handled above")
            }
            if !match && !lastRead { return nil }
            if match != rule.negated { return passed }
            return CheckResult(status: .l7response, code: code,
                               info: rule.negated ? "HTTP check matched unwanted content" : "HTTP content check did not match",
                               durationMs: durationMs)
        }
    }
}

/// The status code as its three digits, the text `rstatus` matches.
private func statusDigits(_ code: Int) -> String {
    let digits = String(code)
    return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
}
