import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// The peers process (`fulcrum --role peers`): one per generation whose
/// configuration has a `peers` section this node belongs to and tables
/// that sync with it. It maps the stick tables every worker counts into,
/// listens on the local peer's address, connects to each remote peer and
/// moves bytes for FulcrumCore's `PeersNode`, which speaks the protocol:
/// local changes go out, remote ones are written into the shared tables,
/// so every worker sees them. `show peers` reaches it over its control
/// channel.
final class PeersRole: EventHandler {
    enum Kind: UInt8 { case control, listener, connection, tick, wake }

    struct Connection {
        let fd: FileDescriptor
        let node: Int
        let session: Int
        var connecting: Bool
        var endpoints: PeersShow.Endpoints?
        var wantsWrite = false
    }

    let loop: EventLoop
    let control: FileDescriptor
    /// The eventfd the workers signal after a change to push (`--peers-wake`).
    var wake: FileDescriptor? = nil
    var nodes: [PeersNode] = []
    var listeners: [FileDescriptor?] = []
    /// Each node's remote peers' addresses (nil: did not resolve).
    var addresses: [[SocketAddress?]] = []
    var slots = EventSlots()
    var connections: [Int: Connection] = [:]
    /// (node, session) → connection slot.
    var bySession: [Int: Int] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 65536)

    static func isNeeded(_ c: Configuration) -> Bool {
        c.peers.contains { s in !s.disabled && c.stickTables.contains { $0.peers == s.name } && !s.remotes(c.localPeer).isEmpty }
    }

    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "peers"
        Processes.setName("fulcrum-peers")
        Processes.dieWithParent(signal: SIGKILL)
        SignalChannel.ignore(SIGPIPE)
        guard let boot = ChildBootstrap.attach() else { return 1 }
        let c = boot.loaded.configuration
        guard let regions = try? o.stickTables.map({ fd throws in try SharedMemory(mapping: FileDescriptor(fd)) }),
              let tables = SharedStickTables.attach(c.stickTables, regions) else {
            Log.alert("peers: cannot map the stick tables")
            return 1
        }
        do {
            let role = try PeersRole(control: FileDescriptor(Master.ChildFD.control))
            role.wake = o.peersWake.map(FileDescriptor.init)
            if o.detachStdio { StandardStreams.detach() }
            role.loop.refreshClock()
            for s in c.peers where !s.disabled && c.stickTables.contains(where: { $0.peers == s.name }) {
                let node = PeersNode(section: s, localName: c.localPeer, pid: getpid(), tables: tables, learn: o.peersLearn,
                                     now: role.loop.now, wallSeconds: role.loop.wallSeconds)
                role.nodes.append(node)
                // As HAProxy, a peers address that cannot be bound fails the start.
                guard let listener = role.listen(s, c.localPeer, node: role.nodes.count - 1) else { return 1 }
                role.listeners.append(listener)
                // Resolved once, before a chroot would hide the resolver's files.
                role.addresses.append(node.peers.map { SocketAddress.resolve(host: $0.address.host, port: $0.address.port) })
            }
            // As the workers: the configured user, group and chroot.
            let g = c.global
            if g.user != nil || g.group != nil || g.chroot != nil {
                let (target, err) = Privileges.resolve(user: g.user, group: g.group)
                guard let target else { Log.alert(err ?? "cannot resolve user/group"); return 1 }
                if let failure = Privileges.apply(chrootPath: g.chroot, target: target) {
                    Log.alert("cannot drop privileges: \(failure)")
                    return 1
                }
            }
            let status = role.run()
            withExtendedLifetime((boot.memory, regions)) {}
            return status
        } catch {
            Log.alert("peers setup failed: \(error)")
            return 1
        }
    }

    init(control: FileDescriptor) throws(Errno) {
        self.control = control
        loop = try EventLoop(capacity: 64)
    }

    /// The local peer's listening socket (SO_REUSEPORT: a reload's new
    /// peers process listens beside the old one until it goes).
    func listen(_ s: PeersSection, _ local: String, node: Int) -> FileDescriptor? {
        guard let a = s.listenAddress(local), let address = SocketAddress.resolve(host: a.host, port: a.port) else {
            Log.alert("peers \(s.name): cannot resolve the local peer's address")
            return nil
        }
        do {
            let fd = try Socket.listen(on: address, backlog: 64)
            try loop.register(fd, .readable, EventToken(kind: Kind.listener.rawValue, index: node))
            return fd
        } catch {
            Log.alert("peers \(s.name): cannot listen on \(a): \(error)")
            return nil
        }
    }

    func run() -> Int32 {
        do {
            try loop.register(control, .readable, EventToken(kind: Kind.control.rawValue))
            if let wake { try loop.register(wake, .readable, EventToken(kind: Kind.wake.rawValue)) }
        } catch { return 1 }
        loop.schedule(EventToken(kind: Kind.tick.rawValue), at: loop.now)
        UnixSocket.sendMessage(control, ControlMessage.ready.encode())
        loop.run(self)
        return 0
    }

    func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        switch Kind(rawValue: token.kind) {
        case .control?:
            controlReadable()
        case .listener?:
            acceptAll(node: token.index)
        case .connection?:
            guard slots.isCurrent(token), let c = connections[token.index] else { return }
            connectionReady(token.index, c, events)
        case .wake?:
            guard let wake else { return }
            EventCounter.drain(wake)
            let now = loop.now
            for (n, node) in nodes.enumerated() {
                node.pushUpdates(now: now)
                for s in node.sessions.keys { flush(node: n, session: s) }
            }
        default:
            break
        }
    }

    func timerDue(_ token: EventToken, deadline: Int64) {
        guard Kind(rawValue: token.kind) == .tick else { return }
        let now = loop.now
        for (n, node) in nodes.enumerated() {
            for p in node.tick(now: now) { connect(node: n, peer: p) }
            for s in node.sessions.keys { flush(node: n, session: s) }
        }
        loop.schedule(token, at: now + 100)
    }

    func turnEnded() -> Int64? { nil }

    // MARK: control

    private func controlReadable() {
        while true {
            guard let bytes = UnixSocket.receiveMessage(control) else { return }
            if bytes.isEmpty { loop.stop(); return }
            guard let m = ControlMessage.decode(bytes) else { continue }
            guard case .cliRequest(let id, _, let command) = m else { continue }
            let answer = self.answer(command)
            guard id != ControlMessage.unansweredRequest else { continue }
            var chunks = stride(from: 0, to: max(answer.utf8.count, 1), by: ControlMessage.chunkSize).map { start -> String in
                let u = Array(answer.utf8)
                return String(decoding: u[start..<min(start + ControlMessage.chunkSize, u.count)], as: UTF8.self)
            }
            if chunks.isEmpty { chunks = [""] }
            for (k, chunk) in chunks.enumerated() {
                UnixSocket.sendMessage(control, ControlMessage.cliReply(id: id, final: k == chunks.count - 1, text: chunk).encode())
            }
        }
    }

    func answer(_ command: String) -> String {
        let words = RuntimeCommandLine.words(command)
        guard words.count >= 2, words[0] == "show", words[1] == "peers" else { return "Unknown command.\n" + RuntimeCLI.endOfAnswer }
        let text = PeersShow.answer(words, nodes: nodes, now: loop.now, utcOffset: Int(WallClock.utcOffsetSeconds())) { node, s in
            guard let n = self.nodes.firstIndex(where: { $0 === node }), let slot = self.bySession[n << 32 | s] else { return nil }
            return self.connections[slot]?.endpoints
        }
        return text + RuntimeCLI.endOfAnswer
    }

    // MARK: connections

    private func acceptAll(node n: Int) {
        guard let listener = listeners[n] else { return }
        while true {
            var peer = SocketAddress(storage: sockaddr_storage(), length: 0)
            guard let fd = try? Socket.accept(listener, peer: &peer) else { return }
            Socket.setNoDelay(fd)
            let session = nodes[n].accepted(now: loop.now)
            let local = Socket.localAddress(fd)
            add(Connection(fd: fd, node: n, session: session, connecting: false,
                           endpoints: PeersShow.Endpoints(source: peer.description, destination: local?.description ?? "")))
        }
    }

    private func connect(node n: Int, peer p: Int) {
        let node = nodes[n]
        guard let address = addresses[n][p] else { return }
        let session = node.connecting(to: p, now: loop.now)
        do {
            let fd = try Socket.stream(family: address.family)
            Socket.setNoDelay(fd)
            let done = try Socket.connect(fd, to: address)
            let local = Socket.localAddress(fd)
            add(Connection(fd: fd, node: n, session: session, connecting: !done,
                           endpoints: PeersShow.Endpoints(source: local?.description ?? "", destination: address.description)))
            if done { node.connected(session, now: loop.now); flush(node: n, session: session) }
        } catch {
            node.closed(session, now: loop.now)
        }
    }

    @discardableResult
    private func add(_ c: Connection) -> Int {
        let slot = slots.acquire()
        connections[slot] = c
        bySession[c.node << 32 | c.session] = slot
        do {
            try loop.register(c.fd, [.readable, .writable, .readHangup, .edgeTriggered], slots.token(kind: Kind.connection.rawValue, index: slot))
        } catch {
            drop(slot)
        }
        return slot
    }

    private func drop(_ slot: Int) {
        guard let c = connections.removeValue(forKey: slot) else { return }
        bySession[c.node << 32 | c.session] = nil
        loop.remove(c.fd)
        c.fd.close()
        slots.release(slot)
        nodes[c.node].closed(c.session, now: loop.now)
    }

    private func connectionReady(_ slot: Int, _ c: Connection, _ events: Epoll.Events) {
        var c = c
        let node = nodes[c.node]
        if c.connecting {
            guard events.contains(.writable) || events.contains(.error) || events.contains(.hangup) else { return }
            if Socket.pendingError(c.fd) != 0 { drop(slot); return }
            c.connecting = false
            connections[slot] = c
            node.connected(c.session, now: loop.now)
        }
        if events.contains(.readable) || events.contains(.readHangup) || events.contains(.hangup) || events.contains(.error) {
            while true {
                let n = readBuffer.withUnsafeMutableBytes { Glibc.read(c.fd.rawValue, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EAGAIN || errno == EINTR { break }
                    drop(slot); return
                }
                if n == 0 { drop(slot); return }
                readBuffer.withUnsafeBytes { node.receive(c.session, UnsafeRawBufferPointer(rebasing: $0[0..<n]), now: loop.now) }
                if n < readBuffer.count && !events.contains(.readHangup) { break }
            }
        }
        flush(node: c.node, session: c.session)
    }

    /// Writes what the node queued for `session`; closes it when the node
    /// asked and nothing is left to send.
    private func flush(node n: Int, session s: Int) {
        guard let slot = bySession[n << 32 | s], let c = connections[slot], !c.connecting else { return }
        let node = nodes[n]
        let out = node.takeOutput(s)
        if !out.isEmpty {
            var sent = 0
            while sent < out.count {
                let w = out.withUnsafeBytes { Glibc.send(c.fd.rawValue, $0.baseAddress! + sent, out.count - sent, Int32(MSG_NOSIGNAL)) }
                if w < 0 {
                    if errno == EAGAIN || errno == EINTR { break }
                    drop(slot); return
                }
                sent += w
            }
            if sent < out.count { node.requeue(s, out[sent...]); return }
        }
        if node.closing.contains(s) { drop(slot) }
    }
}
