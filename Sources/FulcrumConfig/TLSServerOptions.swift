/// The TLS options of `server` / `default-server` lines (HAProxy 2.6
/// manual 5.2), with HAProxy's messages (server-side ones end with a period).
extension ParseSession {
    static let tlsServerFlags: Set<String> = [
        "ssl", "no-ssl", "check-ssl", "no-check-ssl", "no-ssl-reuse", "ssl-reuse", "no-tls-tickets",
        "tls-tickets", "no-verifyhost",
        "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13",
        "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13",
    ]
    static let tlsServerValueOptions: Set<String> = [
        "verify", "ca-file", "crl-file", "crt", "sni", "check-sni", "verifyhost", "alpn", "check-alpn",
        "ciphers", "ciphersuites", "ssl-min-ver", "ssl-max-ver",
    ]

    static func isTLSServerOption(_ word: String) -> Bool {
        tlsServerFlags.contains(word) || tlsServerValueOptions.contains(word)
    }

    /// Reads the TLS option at `words[i]` (and its argument) into `tls`;
    /// false after an error, reported at the option's argument (or the option).
    mutating func serverTLSOption(_ words: ArraySlice<Word>, at i: inout Int, into tls: inout ServerTLS,
                                  at: (Word) -> SourceLocation) -> Bool {
        let w = words[i]
        let keyword = w.text
        i += 1
        tlsUses.append(TLSKeywordUse(keyword, at(w), .server))
        if Self.tlsServerFlags.contains(keyword) {
            switch keyword {
            case "ssl": tls.enabled = true
            case "no-ssl": tls.enabled = false
            case "check-ssl": tls.checkSSL = true
            case "no-check-ssl": tls.checkSSL = false
            case "no-ssl-reuse": tls.noSSLReuse = true
            case "ssl-reuse": tls.noSSLReuse = false
            case "no-tls-tickets": tls.noTLSTickets = true
            case "tls-tickets": tls.noTLSTickets = false
            case "no-verifyhost": tls.verifyHost = nil
            default: _ = TLSOptionParsing.applyVersionOption(keyword, to: &tls.versions)
            }
            return true
        }
        let valueWord: Word? = i < words.endIndex ? words[i] : nil
        if valueWord != nil { i += 1 }
        let value = valueWord?.text ?? ""
        func fail(_ message: String) -> Bool { alert(valueWord.map(at) ?? at(w), message); return false }
        func need(_ what: String) -> Bool {
            if value.isEmpty { _ = fail("'\(keyword)' : missing \(what).") ; return false }
            return true
        }
        switch keyword {
        case "verify":
            guard need("verify method") else { return false }
            guard let v = TLSServerVerify(rawValue: value) else {
                return fail("'verify' : unknown verify method '\(value)', only 'none' and 'required' are supported.")
            }
            tls.verify = v
        case "ca-file":
            guard need("CAfile path") else { return false }
            tls.caFile = TLSOptionParsing.based(value, global.tls.caBase)
        case "crl-file":
            guard need("CRLfile path") else { return false }
            tls.crlFile = TLSOptionParsing.based(value, global.tls.caBase)
        case "crt":
            guard need("certificate file path") else { return false }
            tls.certificate = TLSOptionParsing.based(value, global.tls.crtBase)
        case "sni":
            guard need("sni expression") else { return false }
            tls.sni = value
        case "check-sni":
            guard need("SNI") else { return false }
            tls.checkSNI = value
        case "verifyhost":
            guard need("hostname to verify against") else { return false }
            tls.verifyHost = value
        case "alpn", "check-alpn":
            switch TLSOptionParsing.protocolList(keyword, value, serverSide: true) {
            case .failure(let f): return fail(f.message)
            case .success(let list): if keyword == "alpn" { tls.alpn = list } else { tls.checkALPN = list }
            }
        case "ciphers", "ciphersuites":
            guard need("cipher suite") else { return false }
            if keyword == "ciphers" { tls.ciphers = value } else { tls.ciphersuites = value }
        default: // ssl-min-ver, ssl-max-ver
            switch TLSOptionParsing.version(keyword, value) {
            case .failure(let f): return fail(f.message + ".")
            case .success(let v): if keyword == "ssl-min-ver" { tls.versions.min = v } else { tls.versions.max = v }
            }
        }
        return true
    }
}

extension ConfigParser {
    /// Whether a server keyword is one of the TLS options (`add server` refuses them).
    public static func isTLSServerOption(_ word: String) -> Bool { ParseSession.isTLSServerOption(word) }
}
