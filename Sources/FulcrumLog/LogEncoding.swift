/// How text reaches a log line (HAProxy's lf_text_len, lf_encode_string):
/// quoted or not, "-" for an absent value, `\` before `"`, `\` and `]` with
/// the `E` flag, and `#XX` for the bytes a request line or a captured header
/// may not carry into a log as they are (control bytes, non-ASCII, `"`, `#`,
/// and for headers `{`, `|`, `}`, which delimit the captures).
enum LogEncoding {
    enum Map {
        /// Request line and its parts (`url_encode_map`).
        case url
        /// Captured headers (`hdr_encode_map`).
        case header

        @inline(__always)
        func contains(_ c: UInt8) -> Bool {
            if c < 0x20 || c >= 0x7F || c == ASCIIByte.quote || c == ASCIIByte.hash { return true }
            if case .header = self { return c == ASCIIByte.openBrace || c == ASCIIByte.pipe || c == ASCIIByte.closeBrace }
            return false
        }
    }

    /// The bytes `E` prefixes with a backslash (RFC 5424 PARAM-VALUE).
    @inline(__always)
    static func needsBackslash(_ c: UInt8) -> Bool {
        c == ASCIIByte.quote || c == ASCIIByte.backslash || c == ASCIIByte.closeBracket
    }

    /// A text value (names, cookies, unique id, a sample's string): quoted
    /// with `Q`; absent or empty is `""` quoted, "-" when mandatory, else
    /// nothing.
    static func appendText<S: LogByteSink>(_ text: ArraySlice<UInt8>?, flags: LogFlags, to out: inout S) {
        let quoted = flags.contains(.quote)
        if quoted { out.put(ASCIIByte.quote) }
        if let text, !text.isEmpty {
            if flags.contains(.escape) { appendBackslashEscaped(text, to: &out) } else { out.put(text) }
        } else if !quoted, flags.contains(.mandatory) {
            out.put(ASCIIByte.minus)
        }
        if quoted { out.put(ASCIIByte.quote) }
    }

    static func appendBackslashEscaped<S: LogByteSink>(_ text: ArraySlice<UInt8>, to out: inout S) {
        for c in text {
            if needsBackslash(c) { out.put(ASCIIByte.backslash) }
            out.put(c)
        }
    }

    /// Request line parts and captures: bytes of `map` as `#XX`; with `E`,
    /// the RFC 5424 bytes left get a backslash. No quotes, no "-" (the
    /// caller decides those, as each variable does in HAProxy).
    static func appendEncoded<S: LogByteSink>(_ text: ArraySlice<UInt8>, map: Map, flags: LogFlags, to out: inout S) {
        let escape = flags.contains(.escape)
        for c in text {
            if map.contains(c) {
                out.put(ASCIIByte.hash)
                LogNumber.appendHexByte(c, to: &out)
            } else {
                if escape, needsBackslash(c) { out.put(ASCIIByte.backslash) }
                out.put(c)
            }
        }
    }

    /// Backslash-escapes, in place, what a sample writer appended from `start`
    /// on: the line grows by the number of escapes, then bytes move right from
    /// the end, so no scratch array is needed.
    static func escapeInPlace(_ out: inout [UInt8], from start: Int) {
        var extra = 0
        for i in start..<out.count where needsBackslash(out[i]) { extra += 1 }
        guard extra > 0 else { return }
        var read = out.count - 1
        for _ in 0..<extra { out.append(0) }
        var write = out.count - 1
        while read >= start {
            let c = out[read]
            out[write] = c
            write -= 1
            if needsBackslash(c) { out[write] = ASCIIByte.backslash; write -= 1 }
            read -= 1
        }
    }
}
