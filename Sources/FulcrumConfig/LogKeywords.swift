import FulcrumBytes
import FulcrumLog

/// The `log` line (global, defaults, frontend, backend, listen) with HAProxy
/// 2.6's grammar, messages and defaults (manual 3.1 and 4.2 "log"):
/// `log <target> [len <length>] [format <format>] [sample <ranges>:<size>]
/// <facility> [<level> [<minlevel>]]`, `log global`, `no log`.
extension ParseSession {
    /// `log ...` or `no log` (`negated`) into `targets`. `inGlobal`: the line is
    /// in the global section (where `log global` is an error).
    mutating func logLine(_ words: [Word], negated: Bool, inGlobal: Bool, into targets: inout [LogTarget],
                          at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        if negated {
            // "no log": every target so far goes, inherited ones included.
            if words.count > 1 {
                alert(at(words[1]), "'no log' does not expect arguments")
                return
            }
            targets.removeAll()
            return
        }
        if words.count == 2, words[1].text == "global" {
            guard !inGlobal else {
                alert(at(words[1]), "'log' : 'global' is not supported for a global syslog server")
                return
            }
            // HAProxy copies the global targets known at this line, each once.
            for target in global.logTargets where !targets.contains(where: { $0.viaLogGlobal && $0.location == target.location }) {
                var copy = target
                copy.viaLogGlobal = true
                targets.append(copy)
            }
            return
        }
        guard words.count >= 3 else {
            alert(loc, "'log' expects <address> and <facility>\(inGlobal ? "" : " or global") as arguments")
            return
        }
        let addressWord = words[1]
        var i = 2
        func word(_ k: Int) -> Word? { k < words.count ? words[k] : nil }
        var maxLength = 1024
        if words[i].text == "len" {
            let value = word(i + 1)
            // HAProxy reads the number with atoi(): "+100" and "100x" are 100.
            guard let value, case let n = Self.atol(value.text), (80...65535).contains(n) else {
                alert(at(value ?? words[i]), "'log' : invalid log length '\(value?.text ?? "")', must be between 80 and 65535")
                return
            }
            maxLength = n
            i += 2
        }
        var format = SyslogFormat.unspecified
        if let w = word(i), w.text == "format" {
            let value = word(i + 1)
            guard let value, let f = SyslogFormat(name: value.text) else {
                alert(at(value ?? w), "'log' : unknown log format '\(value?.text ?? "")'"
                      + hint(value?.text ?? "", SyslogFormat.allCases.compactMap(\.name)))
                return
            }
            format = f
            i += 2
        }
        var sampling: LogSampling? = nil
        if let w = word(i), w.text == "sample" {
            let value = word(i + 1)
            switch Self.logSampling(value?.text ?? "") {
            case .failure(let f):
                alert(at(value ?? w), "'log' : \(f.message)")
                return
            case .success(let s): sampling = s
            }
            i += 2
        }
        guard let facilityWord = word(i), let facility = LogFacility(name: facilityWord.text) else {
            let text = word(i)?.text ?? ""
            alert(at(word(i) ?? words[words.count - 1]), "'log' : unknown log facility '\(text)'"
                  + hint(text, LogFacility.allCases.map(\.name)))
            return
        }
        i += 1
        var level = LogLevel.debug
        if let w = word(i) {
            guard let l = LogLevel(name: w.text) else {
                alert(at(w), "'log' : unknown optional log level '\(w.text)'" + hint(w.text, LogLevel.allCases.map(\.name)))
                return
            }
            level = l
            i += 1
        }
        var minLevel = LogLevel.emerg
        if let w = word(i) {
            guard let l = LogLevel(name: w.text) else {
                alert(at(w), "'log' : unknown optional minimum log level '\(w.text)'" + hint(w.text, LogLevel.allCases.map(\.name)))
                return
            }
            minLevel = l
            i += 1
        }
        if let extra = word(i) {
            alert(at(extra), "'log' : cannot handle unexpected argument '\(extra.text)'")
            return
        }
        let address: LogTargetAddress
        switch Self.logAddress(addressWord.text) {
        case .failure(let f):
            alert(at(addressWord), "'log' : \(f.message)")
            return
        case .success(let a): address = a
        }
        var target = LogTarget(location: loc, address: address, facility: facility)
        target.maxLength = maxLength
        target.format = format
        target.sampling = sampling
        target.level = level
        target.minLevel = minLevel
        targets.append(target)
    }

    /// The target of a `log` line, HAProxy's address forms and messages.
    static func logAddress(_ text: String) -> Result<LogTargetAddress, ParseFailure> {
        func invalid(_ part: String) -> ParseFailure { ParseFailure("invalid address: '\(part)' in '\(text)'") }
        switch text {
        case "stdout": return .success(.fd(1))
        case "stderr": return .success(.fd(2))
        default: break
        }
        if text.hasPrefix("/") { return .success(.unixDatagram(path: text)) }
        // `log global <facility>`: "global" is then read as an address, which no resolver knows.
        if text == "global" { return .failure(invalid(text)) }
        guard let atSign = text.firstIndex(of: "@") else {
            return inetAddress(text, whole: text, stream: false, family: .any)
        }
        let prefix = String(text[..<atSign])
        let rest = String(text[text.index(after: atSign)...])
        switch prefix {
        case "ring":
            return .success(.ring(rest))
        case "fd":
            guard !rest.isEmpty, rest.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int32(rest) else {
                return .failure(ParseFailure("file descriptor '\(rest)' is not a valid integer in '\(text)'"))
            }
            return .success(.fd(n))
        case "unix", "uxdg":
            guard !rest.isEmpty else { return .failure(invalid(text)) }
            return .success(.unixDatagram(path: rest))
        case "udp", "ipv4", "ipv6", "udp4", "udp6":
            let family: LogTargetAddress.Family = prefix.hasSuffix("4") ? .ipv4 : prefix.hasSuffix("6") ? .ipv6 : .any
            return inetAddress(rest, whole: text, stream: false, family: family)
        case "tcp", "tcp4", "tcp6":
            let family: LogTargetAddress.Family = prefix.hasSuffix("4") ? .ipv4 : prefix.hasSuffix("6") ? .ipv6 : .any
            return inetAddress(rest, whole: text, stream: true, family: family)
        case "uxst", "abns", "abnsz", "sockpair", "quic4", "quic6", "udplite", "udplite4", "udplite6":
            return .failure(ParseFailure("log target '\(prefix)@' is not supported yet (in '\(text)')"))
        default:
            return .failure(invalid(text))
        }
    }

    /// `host[:port]` of a UDP or TCP target; port 514 when absent or 0.
    private static func inetAddress(_ text: String, whole: String, stream: Bool,
                                    family: LogTargetAddress.Family) -> Result<LogTargetAddress, ParseFailure> {
        func invalid(_ part: String) -> ParseFailure { ParseFailure("invalid address: '\(part)' in '\(whole)'") }
        guard case .success(let (rawHost, portText)) = ValueParsers.splitHostPort(text) else { return .failure(invalid(text)) }
        var host = rawHost
        if host.isEmpty {
            // HAProxy reads an empty host as the wildcard address.
            host = family == .ipv6 ? "::" : "0.0.0.0"
        }
        var port = 514
        if let portText, !portText.isEmpty {
            if portText.hasPrefix("+") || portText.hasPrefix("-") {
                return .failure(ParseFailure("port offset not permitted here in '\(whole)'"))
            }
            if portText.contains("-") {
                return .failure(ParseFailure("port range not permitted here in '\(whole)'"))
            }
            if let bad = portText.first(where: { !$0.isASCII || !$0.isNumber }) {
                return .failure(ParseFailure("invalid character '\(bad)' in port number '\(portText)' in '\(whole)'"))
            }
            guard let p = Int(portText), p <= 65535 else {
                return .failure(ParseFailure("invalid port '\(portText)'"))
            }
            if p != 0 { port = p }
        }
        let bracketed = text.hasPrefix("[")
        if let ip = IPAddress(host) {
            switch (ip, family) {
            case (.v4, .ipv6), (.v6, .ipv4): return .failure(invalid(bracketed ? "[\(host)]" : host))
            default: break
            }
        } else {
            // A name the daemon resolves: letters, digits, '-' and '.' (HAProxy
            // refuses what its resolver cannot find; this module does no I/O).
            let valid = !bracketed && host.utf8.allSatisfy { ASCII.isAlpha($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
                && !host.hasPrefix("-") && !host.allSatisfy({ $0.isNumber || $0 == "." })
            guard valid else { return .failure(invalid(bracketed ? "[\(host)]" : host)) }
        }
        return .success(stream ? .tcp(host: host, port: port, family: family) : .udp(host: host, port: port, family: family))
    }

    /// `<ranges>:<size>` of `sample`, with HAProxy's messages.
    static func logSampling(_ text: String) -> Result<LogSampling, ParseFailure> {
        guard let colon = text.firstIndex(of: ":") else { return .failure(ParseFailure("Missing sample size")) }
        let rangesText = String(text[..<colon])
        let sizeText = String(text[text.index(after: colon)...])
        guard !rangesText.isEmpty else { return .failure(ParseFailure("no sampling ranges given")) }
        var ranges: [ClosedRange<Int>] = []
        for part in rangesText.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            func number(_ s: Substring) -> Int? {
                guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(s), v > 0 else { return nil }
                return v
            }
            // "N" is one line; "A-B" needs A < B (HAProxy refuses "1-1").
            guard bounds.count <= 2, let low = number(bounds[0]), let high = number(bounds[bounds.count - 1]),
                  bounds.count == 1 ? true : low < high else {
                // HAProxy names the text from the bad range to the end of the list.
                let from = rangesText[part.startIndex...]
                return .failure(ParseFailure("wrong sample range '\(from)'"))
            }
            if ranges.contains(where: { $0.overlaps(low...high) }) {
                return .failure(ParseFailure("ranges are overlapping"))
            }
            ranges.append(low...high)
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let size = Int(sizeText), size > 0 else {
            return .failure(ParseFailure("wrong sample size '\(sizeText)' for sample range '\(rangesText)'"))
        }
        let highest = ranges.map(\.upperBound).max() ?? 0
        guard size >= highest else {
            return .failure(ParseFailure("sample size \(size) should be greater or equal to \(highest) the maximum of the high ranges limits"))
        }
        // Checked above: ranges within 1...size.
        return .success(LogSampling(ranges: ranges, size: size)!)
    }
}
