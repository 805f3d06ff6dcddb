import Glibc

extension LogSender.Target {
    /// The syslog port a UDP address without one goes to.
    public static let defaultSyslogPort = 514

    /// Reads the address of a `log` line as HAProxy 2.6 writes them:
    /// `/dev/log` or any absolute path, `unix@PATH`, `abns@NAME` (abstract),
    /// `stdout`, `stderr`, `fd@N`, `udp@` / `udp4@` / `udp6@` / `ipv4@` /
    /// `ipv6@` or bare `host[:port]` (UDP, port 514 by default), and
    /// `tcp@` / `tcp4@` / `tcp6@host:port` (a port is required). Host names
    /// are resolved here (blocking: configuration time only). nil for what
    /// is not a socket or descriptor (`ring@NAME`) or does not resolve.
    public init?(logAddress text: String) {
        if text.hasPrefix("/") { self = .unixDatagram(path: text); return }
        if text == "stdout" { self = .fileDescriptor(FileDescriptor(1)); return }
        if text == "stderr" { self = .fileDescriptor(FileDescriptor(2)); return }
        let prefix: Substring, rest: Substring
        if let at = text.firstIndex(of: "@") {
            prefix = text[..<at]
            rest = text[text.index(after: at)...]
        } else {
            prefix = ""
            rest = Substring(text)
        }
        switch prefix {
        case "fd":
            guard let n = Int32(rest), n >= 0 else { return nil }
            self = .fileDescriptor(FileDescriptor(n))
        case "unix":
            guard !rest.isEmpty else { return nil }
            self = .unixDatagram(path: String(rest))
        case "abns":
            guard !rest.isEmpty else { return nil }
            self = .unixDatagram(path: "@" + rest)
        case "", "udp", "udp4", "udp6", "ipv4", "ipv6":
            guard let address = LogSender.Target.resolve(rest, defaultPort: LogSender.Target.defaultSyslogPort,
                                                          family: LogSender.Target.family(of: prefix)) else { return nil }
            self = .udp(address)
        case "tcp", "tcp4", "tcp6":
            guard let address = LogSender.Target.resolve(rest, defaultPort: nil, family: LogSender.Target.family(of: prefix))
            else { return nil }
            self = .tcp(address)
        default:
            return nil
        }
    }

    static func family(of prefix: Substring) -> Int32? {
        switch prefix {
        case "udp4", "ipv4", "tcp4": return AF_INET
        case "udp6", "ipv6", "tcp6": return AF_INET6
        default: return nil
        }
    }

    /// `host`, `host:port`, `[v6]:port`, or a bare IPv6 literal with its
    /// port after the last colon (`::1:514`), as HAProxy's str2sa_range.
    static func resolve(_ text: Substring, defaultPort: Int?, family: Int32?) -> SocketAddress? {
        var host = text
        var port = defaultPort
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) } else if !after.isEmpty { return nil }
        } else if let colon = host.lastIndex(of: ":") {
            let digits = host[host.index(after: colon)...]
            guard let p = Int(digits) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard let port, (1...65535).contains(port), !host.isEmpty,
              let address = SocketAddress.resolve(host: String(host), port: port) else { return nil }
        if let family, address.family != family { return nil }
        return address
    }
}
