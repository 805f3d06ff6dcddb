/// `socks4 <addr>:<port>` on a server line (HAProxy's srv_parse_socks4: the
/// port is mandatory, the address is resolved like a server's).
extension ParseSession {
    mutating func socks4Option(_ keyword: String, _ value: Word, into params: inout ServerParams,
                               at: (Word) -> SourceLocation) -> Bool {
        var text = value.text
        if text.hasPrefix("ipv4@") { text.removeFirst(5) }
        switch ValueParsers.splitHostPort(text) {
        case .failure(let f):
            alert(at(value), "'\(keyword) \(value.text)' : \(f.message)")
            return false
        case .success(let (host, portText)):
            guard !host.isEmpty, let portText else {
                alert(at(value), "'\(keyword) \(value.text)' : missing port specification in '\(value.text)'")
                return false
            }
            switch ValueParsers.port(portText, for: keyword) {
            case .failure(let f):
                alert(at(value), "'\(keyword) \(value.text)' : \(f.message)")
                return false
            case .success(let port):
                params.socks4 = SOCKS4Proxy(host: host, port: port)
                return true
            }
        }
    }
}
