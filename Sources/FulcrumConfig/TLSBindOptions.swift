/// The TLS options of a `bind` line (HAProxy 2.6 manual 5.1), with
/// HAProxy's messages. Paths get `crt-base`/`ca-base` as the line is read,
/// as HAProxy does (the bases set so far in `global`).
extension ParseSession {
    /// Options that take no argument.
    static let tlsBindFlags: Set<String> = [
        "ssl", "prefer-client-ciphers", "strict-sni", "no-tls-tickets", "allow-0rtt", "no-ca-names",
        "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13",
        "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13",
    ]
    /// Options followed by one argument.
    static let tlsBindValueOptions: Set<String> = [
        "crt", "crt-list", "ca-file", "ca-verify-file", "crl-file", "verify", "alpn", "npn", "ciphers",
        "ciphersuites", "curves", "ecdhe", "ssl-min-ver", "ssl-max-ver", "tls-ticket-keys",
    ]

    static func isTLSBindOption(_ word: String) -> Bool {
        tlsBindFlags.contains(word) || tlsBindValueOptions.contains(word)
    }

    /// Reads the TLS option at `words[i]` (its argument too) into `tls`;
    /// false after an error (reported at the word).
    mutating func bindTLSOption(_ words: [Word], at i: inout Int, into tls: inout BindTLS,
                                at: (Word) -> SourceLocation) -> Bool {
        let w = words[i]
        let keyword = w.text
        i += 1
        tlsUses.append(TLSKeywordUse(keyword, at(w), .bind))
        if Self.tlsBindFlags.contains(keyword) {
            switch keyword {
            case "ssl": tls.enabled = true
            case "prefer-client-ciphers": tls.preferClientCiphers = true
            case "strict-sni": tls.strictSNI = true
            case "no-tls-tickets": tls.noTLSTickets = true
            case "allow-0rtt": tls.settings.allow0RTT = true
            case "no-ca-names": tls.settings.noCANames = true
            default: _ = TLSOptionParsing.applyVersionOption(keyword, to: &tls.settings.versions)
            }
            return true
        }
        let valueWord: Word? = i < words.count ? words[i] : nil
        if valueWord != nil { i += 1 }
        let value = valueWord?.text
        let place = valueWord.map(at) ?? at(w)
        func fail(_ message: String) -> Bool { alert(place, message); return false }
        let missing = value?.isEmpty ?? true
        switch keyword {
        case "crt", "crt-list":
            if missing { return fail("'\(keyword)' : missing certificate location") }
            tls.sources.append(keyword == "crt" ? .file(TLSOptionParsing.based(value!, global.tls.crtBase)) : .list(value!))
        case "tls-ticket-keys":
            if missing { return fail("'tls-ticket-keys' : missing TLS ticket keys file path") }
            tls.ticketKeysFile = value
        default:
            if let error = TLSOptionParsing.applyCertificateOption(keyword, value: value, to: &tls.settings,
                                                                   caBase: global.tls.caBase) {
                return fail(error)
            }
        }
        return true
    }
}
