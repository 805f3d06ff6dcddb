import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Keep-alive server connections (mode http): the one a stream keeps from its
/// previous exchange, and the worker's idle ones per server (`http-reuse`).
extension StreamEngine {
    /// Uses the stream's own kept connection to the reserved server, or an
    /// idle pooled one when `http-reuse` allows. False: connect anew.
    func reuseConnection(_ s: Stream, _ be: BackendRuntime, _ entry: BackendRuntime.ServerEntry) -> Bool {
        if s.attachedBackend >= 0 {
            if s.attachedBackend == s.backend && s.attachedServer == s.serverIndex
                && s.serverAddressSequence == entry.addressSequence
                && !s.server.eof && !s.server.readable && s.server.isOpen {
                // Still registered with this stream's token: nothing to look up.
                s.attachedBackend = -1; s.attachedServer = -1
                s.server.writable = true
                serverReady(s)
                return true
            }
            releaseAttached(s)
        }
        let reuse = be.config.http.reuse
        guard reuse == .always || reuse == .aggressive || (reuse == .safe && s.http.exchange.requests > 1),
              let idle = takePooled(server: entry.tableLine) else { return false }
        s.server.attach(idle)
        // The pool holds connections to the current address only (`dropPooled`).
        s.serverAddressSequence = entry.addressSequence
        s.server.writable = true
        try? loop.modify(idle.fd, [.readable, .writable, .readHangup, .edgeTriggered], s.token(.server))
        serverReady(s)
        return true
    }

    /// Hands the stream's kept server connection to the worker's pool (it may
    /// serve another client) or closes it when it cannot be reused.
    func releaseAttached(_ s: Stream) {
        guard s.attachedBackend >= 0 else { return }
        let be = backends[s.attachedBackend]
        if s.server.isOpen {
            if !s.server.eof && !s.server.readable && !addressMoved(s, backend: s.attachedBackend, server: s.attachedServer) {
                poolServer(s.server.transport, line: be.servers[s.attachedServer].tableLine,
                           limit: be.servers[s.attachedServer].poolMaxConn)
                s.server.detach()
            } else {
                s.server.close(abort: be.config.connection.noLinger)
            }
        }
        s.serverConnected = false
        s.attachedBackend = -1
        s.attachedServer = -1
    }

    /// Whether the server's address changed since the stream's server
    /// connection was had (its idle ones are dropped when this finds out).
    func addressMoved(_ s: Stream, backend: Int, server: Int) -> Bool {
        guard s.isHTTP else { return false }
        let be = backends[backend]
        if be.refreshAddress(server, table) { dropPooled(server: be.servers[server].tableLine) }
        return be.servers[server].addressSequence != s.serverAddressSequence
    }

    func poolServer(_ connection: Transport, line: Int, limit: Int) {
        let cap = limit < 0 ? 256 : limit
        // A connection that began with a client's PROXY header is that
        // client's alone (HAProxy makes it private). One not kept is reset,
        // as HAProxy does: nothing is in flight on it, and a FIN would leave
        // its port in TIME_WAIT here, which slows every later connect()
        // (the kernel searches past them for a free port).
        if idleServers[line].count >= cap || serverSendsProxy[line] {
            connection.close(abort: true)
            return
        }
        idleServers[line].append(connection)
        table.serverCounter(worker: slot, server: line, .idleConnections).store(UInt64(idleServers[line].count))
        try? loop.modify(connection.fd, [.readable, .readHangup, .edgeTriggered],
                         EventToken(kind: TokenKind.pooled.rawValue, index: line))
    }

    /// An idle connection that is still open (the server may have closed it).
    func takePooled(server line: Int) -> Transport? {
        defer { table.serverCounter(worker: slot, server: line, .idleConnections).store(UInt64(idleServers[line].count)) }
        while let idle = idleServers[line].popLast() {
            if idle.isIdleOpen { return idle }
            idle.close()
        }
        return nil
    }

    /// The server's address changed (`set server addr`): its idle
    /// connections lead to the old one and are closed.
    func dropPooled(server line: Int) {
        for idle in idleServers[line] { idle.close() }
        idleServers[line].removeAll()
        table.serverCounter(worker: slot, server: line, .idleConnections).store(0)
    }

    /// Once a second: the idle connections of servers in maintenance are
    /// closed (HAProxy's cleanup when a server enters maintenance), so that
    /// `del server` finds none. Returns how many idle ones are left.
    func dropIdleOfServersInMaintenance() -> Int {
        var left = 0
        for line in idleServers.indices where !idleServers[line].isEmpty {
            if SharedTable.Admin(rawValue: table.server(line, .admin).load()).inMaintenance {
                dropPooled(server: line)
            } else {
                left += idleServers[line].count
            }
        }
        return left
    }

    /// A pooled connection became readable: the server closed it (or sent
    /// something unsolicited); either way it cannot be reused.
    func pooledEvent(token: EventToken) {
        let line = token.index
        guard line < idleServers.count else { return }
        idleServers[line].removeAll { idle in
            if idle.isIdleOpen { return false }
            idle.close()
            return true
        }
        table.serverCounter(worker: slot, server: line, .idleConnections).store(UInt64(idleServers[line].count))
    }
}
