import FulcrumLog
import FulcrumBytes

/// `ring NAME` sections (HAProxy 2.6 manual 3.10): `description`, `format`,
/// `maxlen`, `size`, `timeout connect|server`, `server` lines (the TCP
/// syslog receivers the ring forwards to). Messages are HAProxy's.
extension ParseSession {
    mutating func openRing(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "missing ring name.")
            current = .skipped("ring")
            return
        }
        let name = words[1].text
        for extra in words.dropFirst(2) { warning(at(extra), "argument '\(extra.text)' after 'ring \(name)' ignored") }
        if let bad = ValueParsers.invalidNameCharacter(name) {
            alert(at(words[1]), "invalid ring name '\(name)' (character '\(bad)' is not permitted).")
            current = .skipped("ring")
            return
        }
        if rings.contains(where: { $0.name == name }) {
            alert(at(words[1]), "sink named '\(name)' already exists.")
            current = .skipped("ring")
            return
        }
        rings.append(RingSection(name: name, location: loc))
        current = .ring(rings.count - 1)
    }

    mutating func ringKeyword(_ words: [Word], ring r: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let value = words.count >= 2 ? words[1] : nil
        switch keyword {
        case "description":
            guard let value, !value.text.isEmpty else {
                alert(loc, "missing ring description text.")
                return
            }
            for extra in words.dropFirst(2) { warning(at(extra), "argument '\(extra.text)' of 'description' ignored (HAProxy keeps the first word; use quotes)") }
            rings[r].description = value.text
        case "format":
            guard let f = SyslogFormat(name: value?.text ?? "") else {
                alert(value.map(at) ?? loc, "unknown format '\(value?.text ?? "")'." + hint(value?.text ?? "", SyslogFormat.allCases.compactMap(\.name)))
                return
            }
            rings[r].format = f
        case "maxlen", "size":
            let n = Self.atol(value?.text ?? "")
            guard n > 0 else {
                alert(value.map(at) ?? loc, "invalid size '\(value?.text ?? "")' for new sink buffer.")
                return
            }
            if keyword == "maxlen" {
                rings[r].maxLength = n
            } else if n < rings[r].size {
                // Worded as a warning, but haproxy 2.6 fails the configuration on it
                // ("ring: size warning incorrectly reported as fatal error", fixed in 2.8).
                alert(loc, "ignoring new size '\(n)' that is smaller than current size '\(rings[r].size)' for ring '\(rings[r].name)'.")
            } else {
                rings[r].size = n
            }
        case "timeout":
            guard let which = value, which.text == "connect" || which.text == "server" else {
                warning(value.map(at) ?? loc, "'timeout \(value?.text ?? "")' ignored in ring '\(rings[r].name)' (only 'timeout connect' and 'timeout server' apply)")
                return
            }
            guard words.count >= 3 else {
                alert(loc, "'timeout \(which.text)' expects <time> as argument.")
                return
            }
            switch ValueParsers.milliseconds(words[2].text, for: "timeout \(which.text)") {
            case .failure(let f): alert(at(words[2]), f.message)
            case .success(let ms):
                let value: Int? = ms == 0 ? nil : ms
                if which.text == "connect" { rings[r].connectTimeout = value } else { rings[r].serverTimeout = value }
            }
            for extra in words.dropFirst(3) { warning(at(extra), "argument '\(extra.text)' of 'timeout \(which.text)' ignored") }
        case "server":
            ringServer(words, ring: r, at: at)
        default:
            alert(loc, "unknown statement '\(keyword)'.")
        }
    }

    private mutating func ringServer(_ words: [Word], ring r: Int, at: (Word) -> SourceLocation) {
        let ringName = rings[r].name
        guard words.count >= 3 else {
            alert(at(words[0]), "'server' expects <name> and <addr>[:<port>] as arguments")
            return
        }
        let name = words[1].text, addressWord = words[2]
        let label = "'server \(ringName)/\(name)'"
        var text = addressWord.text
        for p in ["tcp@", "tcp4@", "tcp6@", "ipv4@", "ipv6@"] where text.hasPrefix(p) { text.removeFirst(p.count) }
        if ["udp@", "udp4@", "udp6@", "uxdg@"].contains(where: { text.hasPrefix($0) }) {
            alert(at(addressWord), "\(label) : dgram-type address not acceptable in '\(addressWord.text)'")
            return
        }
        if text.hasPrefix("/") || text.contains("@") {
            alert(at(addressWord), "\(label) : only TCP ring servers (host:port) are supported yet (in section 'ring')")
            return
        }
        guard case .success(let (host, portText)) = ValueParsers.splitHostPort(text), !host.isEmpty else {
            alert(at(addressWord), "\(label) : invalid address '\(addressWord.text)'")
            return
        }
        guard let portText else {
            alert(at(addressWord), "\(label) : a port is needed in '\(addressWord.text)' (HAProxy would connect to port 0)")
            return
        }
        let port: Int
        switch ValueParsers.port(portText, for: "server") {
        case .failure(let f): alert(at(addressWord), "\(label) : \(f.message)"); return
        case .success(let p): port = p
        }
        var server = RingSection.Server(name: name, location: at(words[0]), host: host, port: port)
        var i = 3
        while i < words.count {
            let option = words[i]
            i += 1
            guard option.text == "log-proto" else {
                if HAProxyKeywords.serverOptions.contains(option.text) {
                    alert(at(option), "server option '\(option.text)' is not supported yet (in section 'ring')")
                } else {
                    alert(at(option), "unknown server option '\(option.text)' in 'ring' section" + hint(option.text, ["log-proto"]))
                }
                return
            }
            guard i < words.count, let framing = RingSection.Framing(rawValue: words[i].text) else {
                let got = i < words.count ? words[i].text : ""
                alert(at(i < words.count ? words[i] : option), "\(label) : 'log-proto' expects one of 'legacy' or 'octet-count' but got '\(got)'.")
                return
            }
            server.framing = framing
            i += 1
        }
        if let other = rings[r].servers.first(where: { $0.name == name }) {
            alert(at(words[1]), "ring '\(ringName)' has two servers named '\(name)' (the first one at \(other.location))")
            return
        }
        rings[r].servers.append(server)
    }

    /// HAProxy's checks once every ring is read.
    mutating func validatedRings() -> [RingSection] {
        var result = rings
        for i in result.indices {
            let ring = result[i]
            if ring.maxLength > ring.size {
                warning(ring.location, "ring '\(ring.name)' event max length '\(ring.maxLength)' exceeds size, forced to size '\(ring.size)'.")
                result[i].maxLength = ring.size
            }
            if !ring.servers.isEmpty, ring.connectTimeout == nil || ring.serverTimeout == nil {
                warning(ring.location, "missing timeouts for ring '\(ring.name)': please set 'timeout connect' and 'timeout server' to non-zero values.")
            }
        }
        return result
    }
}
