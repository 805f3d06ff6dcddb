import Glibc
import FulcrumBytes
import FulcrumConfig
import FulcrumPosix

/// `source ADDR[:PORT] [usesrc ...]`: a server connection's socket is bound
/// before it connects, as HAProxy's tcp_bind_socket does: to ADDR (any port
/// with IP_BIND_ADDRESS_NO_PORT, so the port is picked at connect per
/// destination), or, with `usesrc`, to a foreign address through
/// IP_TRANSPARENT: the client's (`clientip`; `client` with its port too,
/// after a PROXY header the carried one) or a fixed one. The server then
/// sees the client's address (root, and return traffic routed to this host).
extension StreamEngine {
    func bindSource(_ fd: FileDescriptor, _ source: SourceBinding, _ s: Stream) -> Bool {
        var address: SocketAddress
        var transparent = true
        switch source.useSource {
        case .none:
            transparent = false
            guard let a = SocketAddress(numericHost: source.host, port: source.port) else { return false }
            address = a
        case .clientIP, .client:
            guard !s.peer.isUnix else { return false }
            address = SocketAddress(s.peer.ipAddress, port: source.useSource == .client ? s.peer.port : 0)
        case .address(let host, let port):
            guard let a = SocketAddress(numericHost: host, port: port) else { return false }
            address = a
        }
        let v6 = address.family == AF_INET6
        do {
            try Socket.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if transparent { try Socket.makeForeign(fd, v6: v6) }
            if address.port == 0 {
                // IP_BIND_ADDRESS_NO_PORT: keep the port free until connect picks it.
                try? Socket.setOption(fd, Int32(SOL_IP), 24, 1)
            }
            try Socket.bind(fd, to: address)
            return true
        } catch {
            Log.debug("source \(address) for a server connection: \(error)")
            return false
        }
    }
}
