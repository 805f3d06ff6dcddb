/// `proto NAME` on a bind or server line: the multiplexer HAProxy forces for
/// the connection. Fulcrum speaks HTTP/1 on both sides of a mode http proxy,
/// so `h1` there is what it does anyway; `h2` and `fcgi` are refused, saying
/// why; and, as in HAProxy, no multiplexer is usable in mode tcp.
extension ParseSession {
    static let knownMuxProtocols: Set<String> = ["h1", "h2", "fcgi"]

    /// True when `value` is acceptable on `what` ("bind ADDR" or "server NAME").
    mutating func muxProtocol(_ value: Word, mode: ProxyMode, what: String, section: String,
                              at: (Word) -> SourceLocation) -> Bool {
        let name = value.text
        guard Self.knownMuxProtocols.contains(name) else {
            alert(at(value), "'proto' : unknown MUX protocol '\(name)'" + hint(name, Array(Self.knownMuxProtocols)))
            return false
        }
        guard mode == .http else {
            alert(at(value), "MUX protocol '\(name)' is not usable for '\(what)' in a mode tcp proxy (in section '\(section)')")
            return false
        }
        switch name {
        case "h1": return true
        case "h2":
            alert(at(value), "'proto h2' is not supported yet: HTTP/2 is not served (in section '\(section)')")
        default:
            alert(at(value), "'proto fcgi' is not supported yet: FastCGI applications are not served (in section '\(section)')")
        }
        return false
    }
}
