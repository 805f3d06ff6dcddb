/// `peers NAME` sections (HAProxy 2.6 manual 3.5, cfg_parse_peers): `peer
/// NAME ADDR:PORT`, the 2.x `bind` / `server NAME [ADDR:PORT]` /
/// `default-server` form, `disabled` / `enabled`, `table NAME ...`; global
/// `localpeer`. What a keyword carries that Fulcrum does not serve (TLS
/// and the other bind/server options, `log`, `shards`) is refused at its
/// word, never skipped.
extension ParseSession {
    /// The environment variable `-L NAME` sets besides HAPROXY_LOCALPEER,
    /// so the parser knows the name came from the command line (which wins
    /// over `localpeer`, as in HAProxy).
    public static let localPeerFromCommandLine = "FULCRUM_LOCALPEER_CLI"

    mutating func openPeers(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "missing name for peers section.")
            current = .skipped("peers")
            return
        }
        let name = words[1].text
        if let bad = ValueParsers.invalidNameCharacter(name) {
            alert(at(words[1]), "character '\(bad)' is not permitted in 'peers' name '\(name)'")
            current = .skipped("peers")
            return
        }
        if words.count > 2 { alert(at(words[2]), "unexpected argument '\(words[2].text)' after 'peers \(name)'") }
        if let other = peers.first(where: { $0.name == name }) {
            alert(loc, "peers section '\(name)' has the same name as another peers section declared at \(other.location.file):\(other.location.line).")
            current = .skipped("peers")
            return
        }
        peers.append(PeersSection(name: name, location: loc))
        current = .peers(peers.count - 1)
    }

    mutating func peersKeyword(_ words: [Word], section p: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let known = ["peer", "server", "bind", "default-server", "table", "disabled", "enabled", "log", "shards", "default-bind"]
        switch keyword {
        case "disabled", "enabled":
            for extra in words.dropFirst() { alert(at(extra), "unexpected argument '\(extra.text)' for '\(keyword)'") }
            peers[p].disabled = keyword == "disabled"
        case "peer", "server":
            guard mixingPeerForms(keyword == "peer" ? "peer" : "bind", section: p, loc) else { return }
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'\(keyword)' expects <name> and <addr>[:<port>] as arguments.")
                return
            }
            let name = words[1].text
            if let bad = ValueParsers.invalidNameCharacter(name) {
                alert(at(words[1]), "character '\(bad)' is not permitted in server name '\(name)'.")
                return
            }
            if let previous = peers[p].peers.first(where: { $0.name == name }) {
                alert(loc, "peer '\(name)' already declared at \(previous.location) in peers section '\(peers[p].name)'.")
                return
            }
            var address: PeerAddress? = nil
            if words.count >= 3 {
                guard let a = peerAddress(words[2], keyword: "\(keyword) \(name)", at: at) else { return }
                address = a
            } else if keyword == "peer" {
                alert(loc, "'peer' expects <name> and <addr>[:<port>] as arguments.")
                return
            }
            if words.count > 3 {
                alert(at(words[3]), "'\(keyword)' option '\(words[3].text)' is not supported in a peers section (Fulcrum's peers speak plain TCP)")
                return
            }
            peers[p].peers.append(PeerEntry(name: name, address: address, location: loc))
        case "bind":
            guard mixingPeerForms("bind", section: p, loc) else { return }
            guard words.count >= 2 else {
                alert(loc, "'bind' expects <addr>:<port> as argument.")
                return
            }
            if peers[p].bind != nil {
                alert(loc, "only one 'bind' line is allowed in peers section '\(peers[p].name)'.")
                return
            }
            guard let a = peerAddress(words[1], keyword: keyword, at: at) else { return }
            if words.count > 2 {
                alert(at(words[2]), "'bind' option '\(words[2].text)' is not supported in a peers section (Fulcrum's peers speak plain TCP)")
                return
            }
            peers[p].bind = a
        case "default-server":
            // Its options are the peers' connection options (TLS...), none served.
            if words.count > 1 {
                alert(at(words[1]), "'default-server' option '\(words[1].text)' is not supported in a peers section (Fulcrum's peers speak plain TCP)")
            }
        case "table":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'table' expects <name> as argument.")
                return
            }
            let section = peers[p].name
            let name = section + "/" + words[1].text
            if peers[p].tables.contains(where: { $0.name == name }) {
                alert(at(words[1]), "stick-table name '\(words[1].text)' conflicts with table declared in peers section '\(section)'.")
                return
            }
            switch Self.parseStickTable(words, from: 2, name: name, location: loc, at: at) {
            case .failure(let f): alert(f.location, f.message)
            case .success(let (table, warnings)):
                for w in warnings { warning(w.location, w.message) }
                var t = table
                if let other = t.peers, other != section {
                    alert(loc, "'table' in peers section '\(section)' cannot sync with peers '\(other)'.")
                    return
                }
                t.peers = section
                peers[p].tables.append(t)
            }
        case "log", "shards", "default-bind":
            alert(loc, "keyword '\(keyword)' is not supported yet (in section 'peers')")
        default:
            alert(loc, "unknown keyword '\(keyword)' in 'peers' section" + hint(keyword, known))
        }
    }

    /// HAProxy refuses a section mixing `peer` lines with `bind` / `server` ones.
    private mutating func mixingPeerForms(_ form: String, section p: Int, _ loc: SourceLocation) -> Bool {
        if let previous = peersForm[p], previous != form {
            alert(loc, "mixing \"peer\" and \"bind\" line is forbidden")
            return false
        }
        peersForm[p] = form
        return true
    }

    private mutating func peerAddress(_ w: Word, keyword: String, at: (Word) -> SourceLocation) -> PeerAddress? {
        guard case .success(let (host, portText)) = ValueParsers.splitHostPort(w.text), !host.isEmpty, let portText, !portText.isEmpty else {
            alert(at(w), "'\(keyword)' : missing port specification in '\(w.text)'")
            return nil
        }
        switch ValueParsers.port(portText, for: keyword) {
        case .failure(let f):
            alert(at(w), f.message)
            return nil
        case .success(let port):
            return PeerAddress(host: host, port: port)
        }
    }

    /// The local peer's name: `-L`, else `localpeer`, else the host name
    /// (HAPROXY_LOCALPEER, which the daemon sets before parsing).
    var localPeerName: String {
        if environment[Self.localPeerFromCommandLine] != nil, let n = environment["HAPROXY_LOCALPEER"] { return n }
        return global.localPeer ?? environment["HAPROXY_LOCALPEER"] ?? ""
    }

    /// After every section was read: the sections, their tables appended
    /// to the configuration's, each `stick-table ... peers NAME` checked.
    mutating func resolvePeers(_ configuration: inout Configuration) {
        let local = localPeerName
        configuration.localPeer = local
        var usable: [PeersSection] = []
        for section in peers {
            if section.local(local) == nil {
                // HAProxy removes a section this process is no peer of.
                warning(section.location, "Removing incomplete section 'peers \(section.name)' (no peer named '\(local)').")
                continue
            }
            if section.listenAddress(local) == nil {
                alert(section.location, "peers section '\(section.name)': the local peer '\(local)' has no address (give its 'server' line one, or a 'bind' line).")
                continue
            }
            for r in section.remotes(local) where r.address == nil {
                alert(r.location, "peers section '\(section.name)': remote peer '\(r.name)' has no address.")
            }
            usable.append(section)
        }
        for i in configuration.stickTables.indices {
            guard let name = configuration.stickTables[i].peers else { continue }
            if !peers.contains(where: { $0.name == name }) {
                alert(configuration.stickTables[i].location, "Proxy '\(configuration.stickTables[i].name)': unable to find sync peers '\(name)'.")
            } else if !usable.contains(where: { $0.name == name }) {
                configuration.stickTables[i].peers = nil
            }
        }
        for section in peers {
            for t in section.tables {
                if configuration.stickTables.contains(where: { $0.name == t.name }) {
                    alert(t.location, "stick-table name '\(t.name)' conflicts with a proxy's table.")
                    continue
                }
                var t = t
                if !usable.contains(where: { $0.name == section.name }) { t.peers = nil }
                configuration.stickTables.append(t)
            }
        }
        configuration.peers = usable
    }
}
