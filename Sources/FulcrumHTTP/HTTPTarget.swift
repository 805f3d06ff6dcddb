import FulcrumBytes

/// The parts of a request-target (RFC 9112 §3.2) as ranges in the slice it
/// was parsed from (the slice's own indices), located the way HAProxy's
/// http_get_path does so that `path` / `query` sample fetches agree with it.
public struct HTTPTarget: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// "/path?query"
        case origin
        /// "scheme://authority/path?query" (requests to proxies)
        case absolute
        /// "host:port" (CONNECT)
        case authority
        /// "*" (server-wide OPTIONS); HAProxy classifies any target starting with '*' so
        case asterisk
    }

    public var form: Form
    /// Absolute form: the scheme without "://".
    public var scheme: Range<Int>?
    /// Absolute form: what lies between "://" and the path; authority form: all of it.
    public var authority: Range<Int>?
    /// From the first "/" of the path up to "?" (excluded); empty when the
    /// target has no path (authority, asterisk, "http://host").
    public var path: Range<Int>
    /// After "?" (excluded) to the end; nil without "?".
    public var query: Range<Int>?

    /// Path and query together (HAProxy's `pathq`), empty without a path.
    public var pathAndQuery: Range<Int> { path.lowerBound..<(query?.upperBound ?? path.upperBound) }

    public init(_ t: ArraySlice<UInt8>) {
        let s = t.startIndex, e = t.endIndex
        scheme = nil; authority = nil; query = nil
        if s < e && t[s] == 0x2A {  // HAProxy takes any target starting with '*' as asterisk-form
            form = .asterisk; path = e..<e
            return
        }
        var p = s
        if s < e && t[s] == 0x2F {
            form = .origin
        } else {
            // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) then "://"
            var i = s
            if i < e, ASCII.isAlpha(t[i]) {
                i += 1
                while i < e, ASCII.isAlpha(t[i]) || ASCII.isDigit(t[i]) || t[i] == 0x2B || t[i] == 0x2D || t[i] == 0x2E { i += 1 }
            }
            if i > s, i + 3 <= e, t[i] == 0x3A, t[i + 1] == 0x2F, t[i + 2] == 0x2F {
                form = .absolute
                scheme = s..<i
                p = i + 3
                let a0 = p
                while p < e, t[p] != 0x2F, t[p] != 0x3F { p += 1 }
                authority = a0..<p
                if p < e, t[p] == 0x3F {  // "http://host?q": no path
                    path = p..<p
                    query = (p + 1)..<e
                    return
                }
            } else {
                form = .authority
                authority = s..<e
                path = e..<e
                return
            }
        }
        let p0 = p
        while p < e, t[p] != 0x3F { p += 1 }
        path = p0..<p
        if p < e { query = (p + 1)..<e }
    }
}
