import FulcrumBytes

/// What request negotiation settled on.
public struct CompressionChoice: Equatable, Sendable {
    public var algorithm: CompressionAlgorithm
    /// True when Accept-Encoding named the algorithm (or `*`); false when identity was
    /// taken as the implicit fallback. `compression offload` strips Accept-Encoding
    /// only in the first case, as HAProxy does.
    public var fromAcceptEncoding: Bool
    public init(algorithm: CompressionAlgorithm, fromAcceptEncoding: Bool) {
        self.algorithm = algorithm; self.fromAcceptEncoding = fromAcceptEncoding
    }
}

/// HAProxy 2.6's request-side selection (flt_http_comp.c, select_compression_request_header).
public enum CompressionNegotiation {
    /// Picks the algorithm for a request, or nil when the response must not be compressed.
    ///
    /// HAProxy's rules, reproduced exactly because clients see the difference:
    /// - a User-Agent of an old "Mozilla/4" browser disables compression entirely;
    /// - every comma-separated element of every Accept-Encoding field is read in order;
    ///   an element is only considered when its q-value is strictly greater than the
    ///   best so far (so on a tie the client's first element wins, and q=0 refuses);
    /// - the q-value is the first `q=` parameter (lower-case `q`), 1 when absent or unparsable;
    /// - the element's token matches an algorithm's content-coding case-insensitively,
    ///   and an element starting with `*` matches any algorithm;
    /// - configured algorithms are tried from the LAST configured to the first, because
    ///   HAProxy 2.6 prepends each `compression algo` word to its list (so `*` with
    ///   `algo gzip deflate` picks deflate; verified against haproxy 2.6.12);
    /// - when nothing matches and identity is configured, identity is used anyway.
    public static func negotiate(acceptEncoding: [String], configured: [CompressionAlgorithm],
                                 userAgent: String?) -> CompressionChoice? {
        if configured.isEmpty { return nil }
        if let ua = userAgent, userAgentRefusesCompression(ua) { return nil }
        let candidates = Array(configured.reversed())
        var best: CompressionAlgorithm? = nil
        var bestQ = 0
        for field in acceptEncoding {
            for element in Array(field.utf8)[...].listElements() {
                let tokenLength = element.prefix(while: ASCII.isToken).count
                let q = qvalue(element, after: tokenLength)
                if q <= bestQ { continue }
                let token = element[element.startIndex ..< element.startIndex + tokenLength]
                for algorithm in candidates {
                    if element.first == UInt8(ascii: "*")
                        || ASCII.equalsIgnoringCase(token, algorithm.contentCoding.utf8) {
                        best = algorithm
                        bestQ = q
                        break
                    }
                }
            }
        }
        if let best { return CompressionChoice(algorithm: best, fromAcceptEncoding: true) }
        if configured.contains(.identity) { return CompressionChoice(algorithm: .identity, fromAcceptEncoding: false) }
        return nil
    }

    /// The algorithm `negotiate` selects, or nil.
    public static func choose(acceptEncoding: [String], configured: [CompressionAlgorithm],
                              userAgent: String?) -> CompressionAlgorithm? {
        negotiate(acceptEncoding: acceptEncoding, configured: configured, userAgent: userAgent)?.algorithm
    }

    /// HAProxy refuses to compress for user agents announcing "Mozilla/4" unless they
    /// are MSIE 6 with XP SP2 ("SV1") or MSIE 7 and later: older ones mishandle it.
    /// Byte offsets are HAProxy's (25 for "MSIE ", 51 for "SV1").
    public static func userAgentRefusesCompression(_ userAgent: String) -> Bool {
        let ua = Array(userAgent.utf8)
        guard ua.count >= 9, ua[0..<9].elementsEqual("Mozilla/4".utf8) else { return false }
        if ua.count < 31 || !ua[25..<30].elementsEqual("MSIE ".utf8) { return true }
        if ua[30] < UInt8(ascii: "6") { return true }
        if ua[30] == UInt8(ascii: "6") {
            return ua.count < 54 || !ua[51..<54].elementsEqual("SV1".utf8)
        }
        return false
    }

    /// The element's q-value times 1000 (HAProxy's scan: `;` parameters after the
    /// token, first one starting with "q=", http_parse_qvalue's 1 digit, dot, 3 digits).
    static func qvalue(_ element: ArraySlice<UInt8>, after tokenLength: Int) -> Int {
        var i = element.startIndex + tokenLength
        let end = element.endIndex
        func skipBlanks() { while i < end, ASCII.isSPHT(element[i]) { i += 1 } }
        while true {
            skipBlanks()
            guard i < end, element[i] == UInt8(ascii: ";") else { return 1000 }
            i += 1
            skipBlanks()
            guard i < end else { return 1000 }
            // HAProxy compares min(remaining, 2) bytes with "q=".
            if element[i] == UInt8(ascii: "q"), i + 1 >= end || element[i + 1] == UInt8(ascii: "=") {
                return parseQvalue(element, from: i + 2)
            }
            while i < end, element[i] != UInt8(ascii: ";") { i += 1 }
        }
    }

    /// http_parse_qvalue: unparsable means 1000, values above 1000 are capped.
    static func parseQvalue(_ s: ArraySlice<UInt8>, from start: Int) -> Int {
        func digit(_ i: Int) -> Int? {
            guard i < s.endIndex, s[i] >= 0x30, s[i] <= 0x39 else { return nil }
            return Int(s[i] - 0x30)
        }
        guard let units = digit(start) else { return 1000 }
        var q = units * 1000
        if start + 1 < s.endIndex, s[start + 1] == UInt8(ascii: ".") {
            var scale = 100
            var i = start + 2
            while scale > 0, let d = digit(i) { q += d * scale; scale /= 10; i += 1 }
        }
        return min(q, 1000)
    }
}
