import FulcrumBytes
import FulcrumConfig
import FulcrumPosix

extension ConfigLoader {
    /// A server's address at start, by its `init-addr` methods in order
    /// (HAProxy's srv_iterate_initaddr): `libc` asks the system resolver,
    /// `none` starts it without one (`.some(nil)`), an IP is that address;
    /// `last` (the state file's address) is left to the state file, which
    /// Generation applies after. nil: nothing worked (an error, or -dr).
    static func initialAddress(_ s: Server) -> SocketAddress?? {
        let port = s.port ?? 0
        if let ip = IPAddress(s.host) { return .some(SocketAddress(ip, port: port)) }
        for method in s.params.resolution.initAddr {
            switch method {
            case .last: continue
            case .libc: if let a = SocketAddress.resolve(host: s.host, port: port) { return .some(a) }
            case .none: return .some(nil)
            case .address(let ip): return .some(SocketAddress(ip, port: port))
            }
        }
        return nil
    }

    /// Whether the server starts without an address (`init-addr none` took effect).
    static func startsWithoutAddress(_ s: Server, _ address: SocketAddress) -> Bool {
        s.unix == nil && address.length == 0
    }
}
