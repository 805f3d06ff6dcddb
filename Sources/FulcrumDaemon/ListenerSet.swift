import Glibc
import FulcrumConfig
import FulcrumPosix
import FulcrumProxy

/// The master's listening sockets, kept across reloads: one SO_REUSEPORT
/// socket per (bind address, slot), so each worker has its own accept queue
/// and the kernel's hash spreads connections evenly; with
/// `tune.listener.multi-queue on` every worker also watches its siblings'
/// sockets, exclusively (`Entry.ownerSlot`), so a connection queued behind
/// a busy worker is taken by an idle one. Plus inherited
/// `fd@N` sockets shared by every slot. A socket stays open as
/// long as some generation uses its address, so a worker's death or a reload
/// never closes an accept queue: the next worker of the slot accepts from the
/// very same socket. With fewer workers than sockets, the extra sockets are
/// shared out among the workers, so nothing queued on them is stranded.
final class ListenerPool {
    struct Entry {
        var fd: FileDescriptor; var frontend: Int; var bind: Int
        /// The slot that owns this socket when it is a sibling's (multi-queue):
        /// watched with EPOLLEXCLUSIVE, so the kernel wakes only one sibling
        /// besides its owner. nil for the slot's own socket.
        var ownerSlot: Int? = nil
    }

    /// Sockets by address key ("ip:port" or "fd@N"), in slot order.
    private var sockets: [String: [FileDescriptor]] = [:]
    private var inheritedKeys: Set<String> = []

    var count: Int { sockets.values.reduce(0) { $0 + $1.count } }

    /// A bind's listen backlog: its own, else the frontend's maxconn, else 4096.
    static func backlog(_ f: Frontend, bind: Int) -> Int32 {
        Int32(clamping: f.binds[bind].backlog ?? f.maxconn ?? 4096)
    }

    /// Per slot, the sockets that slot's worker accepts on for `loaded`,
    /// opening what is missing. On failure nothing new stays open.
    func assign(_ loaded: LoadedConfiguration, slots: Int) throws(ListenerError) -> [[Entry]] {
        var perSlot: [[Entry]] = Array(repeating: [], count: slots)
        var errors: [String] = []
        var opened: [(String, FileDescriptor)] = []
        let c = loaded.configuration
        for (fi, f) in c.frontends.enumerated() {
            for (bi, bind) in f.binds.enumerated() {
                let backlog = Self.backlog(f, bind: bi)
                for (ai, a) in bind.addresses.enumerated() {
                    switch a {
                    case .inheritedFD(let n):
                        let key = "fd@\(n)"
                        let fd = FileDescriptor(n)
                        if sockets[key] == nil {
                            try? fd.setNonBlocking()
                            try? fd.setCloseOnExec(true)
                            sockets[key] = [fd]
                            inheritedKeys.insert(key)
                        }
                        for slot in 0..<slots { perSlot[slot].append(Entry(fd: fd, frontend: fi, bind: bi)) }
                    case .unix, .abstract:
                        // One socket every worker accepts from (no SO_REUSEPORT
                        // for unix sockets), kept across reloads like the rest.
                        let key = Self.key(a)
                        if sockets[key] == nil {
                            do {
                                let fd = try Self.openUnix(a, bind: bind, backlog: backlog)
                                sockets[key] = [fd]
                                opened.append((key, fd))
                            } catch {
                                errors.append("Starting frontend \(f.name): cannot bind UNIX socket (\(error)) [\(Self.display(a))]")
                                continue
                            }
                        }
                        for fd in sockets[key]! {
                            for slot in 0..<slots { perSlot[slot].append(Entry(fd: fd, frontend: fi, bind: bi)) }
                        }
                    case .inet:
                        guard let address = loaded.bindAddresses[fi][bi][ai] else { continue }
                        // A bind's socket options are part of its identity: a
                        // reload that changes them gets sockets set up anew.
                        let key = address.description + bind.socket.identity
                        var list = sockets[key] ?? []
                        // A socket kept from a generation where `disable|shutdown
                        // frontend` paused it listens again: a reload starts afresh.
                        for fd in list { try? Socket.resumeListening(fd, backlog: backlog) }
                        while list.count < slots {
                            do {
                                let fd = try Socket.listen(on: address, backlog: backlog, transparent: bind.transparent,
                                                           options: Self.listenOptions(bind.socket, backlog: backlog))
                                list.append(fd)
                                opened.append((key, fd))
                            } catch {
                                errors.append("Starting frontend \(f.name): cannot bind socket (\(error)) [\(address)]")
                                break
                            }
                        }
                        // Kept sockets too: a reload may change the tune.*buf.client sizes.
                        for fd in list {
                            Socket.setBufferSizes(fd, receive: c.global.clientReceiveBuffer, send: c.global.clientSendBuffer)
                        }
                        if list.count < slots { continue }
                        sockets[key] = list
                        // `tcp-smart-accept` (HAProxy's default in mode http and on
                        // ssl binds): TCP_QUICKACK set either way, on new, kept
                        // and adopted sockets alike.
                        let smartAccept = f.connection.smartAccept(mode: f.mode, bind: bind)
                        for fd in list { Socket.setQuickAck(fd, !smartAccept) }
                        // Socket i goes to slot i % slots: every socket has a worker;
                        // with multi-queue the other slots watch it too.
                        for (i, fd) in list.enumerated() {
                            perSlot[i % slots].append(Entry(fd: fd, frontend: fi, bind: bi))
                            guard c.global.listenerMultiQueue else { continue }
                            for slot in 0..<slots where slot != i % slots {
                                perSlot[slot].append(Entry(fd: fd, frontend: fi, bind: bi, ownerSlot: i % slots))
                            }
                        }
                    }
                }
            }
        }
        if !errors.isEmpty {
            for (key, fd) in opened {
                fd.close()
                sockets[key]?.removeAll { $0 == fd }
                if sockets[key]?.isEmpty == true { sockets[key] = nil }
            }
            throw ListenerError(messages: errors)
        }
        return perSlot
    }

    /// The pool's key of a unix bind: "unix@PATH" or "abns@NAME".
    static func key(_ a: BindAddress) -> String {
        switch a {
        case .unix(let path): return "unix@" + path
        case .abstract(let name): return "abns@" + name
        case .inheritedFD(let n): return "fd@\(n)"
        case .inet(let host, let port): return "\(host):\(port)"
        }
    }

    static func display(_ a: BindAddress) -> String {
        switch a {
        case .unix(let path): return path
        default: return key(a)
        }
    }

    /// The path a unix listener serves: HAProxy and Fulcrum bind at
    /// "PATH.PID.tmp" and rename it to PATH, so getsockname names the
    /// temporary file (HAProxy's sock_unix_addrcmp strips it the same way).
    static func finalPath(_ bound: String) -> String {
        guard bound.hasSuffix(".tmp") else { return bound }
        let stem = bound.dropLast(4)
        guard let dot = stem.lastIndex(of: "."), stem[stem.index(after: dot)...].allSatisfy(\.isNumber),
              stem.index(after: dot) < stem.endIndex else { return bound }
        return String(stem[..<dot])
    }

    /// A unix bind's socket, with its `mode` and owner (`uid`/`user`, `gid`/`group`).
    static func openUnix(_ a: BindAddress, bind: Bind, backlog: Int32) throws(Errno) -> FileDescriptor {
        switch a {
        case .abstract(let name):
            return try UnixSocket.listenAbstract(name: name, backlog: backlog)
        case .unix(let path):
            var uid = bind.unixUID, gid = bind.unixGID
            if bind.unixUser != nil || bind.unixGroup != nil,
               let target = Privileges.resolve(user: bind.unixUser, group: bind.unixGroup).target {
                if bind.unixUser != nil { uid = target.uid ?? uid }
                if bind.unixGroup != nil { gid = target.gid ?? gid }
            }
            return try UnixSocket.listenStream(path: path, mode: bind.unixMode.map { mode_t($0) }, uid: uid, gid: gid,
                                               backlog: backlog)
        default:
            throw Errno(EINVAL)
        }
    }

    /// What a bind line's socket options ask of its listening sockets.
    static func listenOptions(_ o: BindSocketOptions, backlog: Int32) -> Socket.ListenOptions {
        var l = Socket.ListenOptions()
        l.device = o.interface
        l.v6Only = o.v6Only
        // HAProxy defers by up to one second.
        l.deferAccept = o.deferAccept ? 1 : nil
        l.maxSegment = o.mss
        // HAProxy sizes the Fast Open queue like the accept queue.
        l.fastOpenQueue = o.fastOpen ? Int(backlog) : nil
        return l
    }

    /// `-x`: sockets a running instance handed over. Each serves its own
    /// address (found with getsockname), so the old and the new instance
    /// accept from the very same queues and nothing queued is lost when the
    /// old one stops; those the configuration does not bind are closed at the
    /// first `retain`. Anything that is not a listening TCP socket is closed.
    func adopt(_ fds: [FileDescriptor]) {
        for fd in fds {
            if Socket.isListeningStream(fd), let address = Socket.localAddress(fd), address.family == AF_UNIX,
               let name = UnixSocket.boundName(fd) {
                try? fd.setNonBlocking()
                try? fd.setCloseOnExec(true)
                let key = name.hasPrefix("@") ? "abns@" + name.dropFirst() : "unix@" + Self.finalPath(name)
                sockets[key, default: []].append(fd)
                continue
            }
            guard Socket.isListeningStream(fd), let address = Socket.localAddress(fd),
                  address.family == AF_INET || address.family == AF_INET6 else { fd.close(); continue }
            try? fd.setNonBlocking()
            try? fd.setCloseOnExec(true)
            sockets[address.description, default: []].append(fd)
        }
    }

    /// Every listening socket, for `_getsocks` (`expose-fd listeners`).
    var allDescriptors: [FileDescriptor] { sockets.sorted { $0.key < $1.key }.flatMap(\.value) }

    /// Closes the sockets of addresses no live generation uses any more.
    func retain(only used: [[[Entry]]]) {
        var keep: Set<Int32> = []
        for gen in used { for slot in gen { for e in slot { keep.insert(e.fd.rawValue) } } }
        for (key, list) in sockets {
            let remaining = list.filter { keep.contains($0.rawValue) }
            for fd in list where !keep.contains(fd.rawValue) { fd.close() }
            sockets[key] = remaining.isEmpty ? nil : remaining
        }
    }

    /// net.ipv4.tcp_migrate_req: when a SO_REUSEPORT socket closes, the
    /// kernel moves the connections queued on it to another socket of the
    /// same address instead of resetting them — a second guard behind the
    /// pool, for sockets closed when a bind or a slot goes away. Set where the
    /// kernel has it and lets us (root, writable /proc/sys).
    static func enableRequestMigration() {
        let path = KernelTunables.tcpMigrateRequests
        guard let value = KernelTunables.read(path) else {
            Log.debug("this kernel has no \(path)")
            return
        }
        if value == 1 { return }
        do {
            try KernelTunables.write(path, 1)
            Log.notice("Enabled net.ipv4.tcp_migrate_req (queued connections move to a sibling listener when one closes).")
        } catch {
            Log.debug("cannot enable net.ipv4.tcp_migrate_req: \(error)")
        }
    }

    /// The sockets for a binary upgrade: the re-executed master adopts them.
    func export() -> [MasterHandover.Listener] {
        sockets.sorted { $0.key < $1.key }.map {
            MasterHandover.Listener(key: $0.key, fds: $0.value.map(\.rawValue), inherited: inheritedKeys.contains($0.key))
        }
    }

    func restore(_ records: [MasterHandover.Listener]) {
        for r in records {
            let fds = r.fds.map { FileDescriptor($0) }
            for fd in fds { try? fd.setCloseOnExec(true) }
            sockets[r.key] = fds
            if r.inherited { inheritedKeys.insert(r.key) }
        }
    }

    func closeAll() {
        for (_, list) in sockets { for fd in list { fd.close() } }
        sockets.removeAll()
    }
}

struct ListenerError: Error { var messages: [String] }
