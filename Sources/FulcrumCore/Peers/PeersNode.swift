import FulcrumConfig

/// One `peers` section as the local peer runs it, without I/O: its remote
/// peers, the sessions (TCP connections) to them, and what goes on each,
/// as HAProxy's peers.c does: the handshake, DEFINE before a table's
/// updates, local updates pushed after the last the peer acknowledged, ACKs
/// for what was received, a full teach (then RESYNCFINISHED) when a peer
/// asks with RESYNCREQ, a RESYNCREQ of our own to the first peer
/// connected when this node starts empty, heartbeats every 3 s and a
/// session dropped after 5 s without a message. The daemon's peers role
/// moves the bytes (`receive`, `takeOutput`), opens the connections `tick`
/// asks for and closes those in `closing`.
public final class PeersNode {
    public static let heartbeatInterval: Int64 = 3000
    public static let reconnectTimeout: Int64 = 5000
    public static let resyncTimeout: Int64 = 5000
    /// Updates sent per table and turn before giving the loop back.
    public static let maxUpdatesAtOnce = 10_000

    public let section: PeersSection
    public let localName: String
    public let pid: Int32
    public let tables: StickTableSet
    /// The tables this section syncs: index in `tables`, and the id they
    /// are sent under (1, 2... in declaration order, as HAProxy numbers them).
    public let shared: [(table: Int, localID: Int)]
    public private(set) var peers: [Peer] = []
    public private(set) var sessions: [Int: Session] = [:]
    /// Sessions to close once their output is sent.
    public var closing: [Int] = []
    private var nextSession = 1
    /// The tables are complete (nothing to learn, learned, or gave up).
    public private(set) var resyncDone: Bool
    public private(set) var resyncDeadline: Int64?
    var resyncAssigned: Int? = nil
    public private(set) var startedWall: Int64
    public private(set) var taskCalls = 0
    private var random: UInt64

    public final class Peer {
        public let name: String
        public let address: PeerAddress
        public var session: Int? = nil
        public var status: PeerHandshake.Status? = nil
        public var lastHandshake: Int64? = nil
        public var reconnectAt: Int64? = nil
        public var heartbeatAt: Int64? = nil
        public var confirm = 0, txHeartbeats = 0, rxHeartbeats = 0, noHeartbeats = 0
        public var newConnections = 0, protocolErrors = 0, collisions = 0
        public var tables: [TableSync]
        var alive = false
        var learning = false
        var requestSent = false
        init(name: String, address: PeerAddress, tables: [TableSync]) {
            self.name = name; self.address = address; self.tables = tables
        }
    }

    /// One shared table as seen with one peer.
    public struct TableSync {
        public let local: Int
        public let localID: Int
        public var remoteID = 0
        public var remote: PeerRemoteTable? = nil
        public var lastAcked: UInt32 = 0, lastPushed: UInt32 = 0, lastGet: UInt32 = 0
        /// The last of our update ids the peer acknowledged (HAProxy's st->update).
        public var update: UInt32 = 0
        public var teachingOrigin: UInt32 = 0
        init(local: Int, localID: Int) { self.local = local; self.localID = localID }
    }

    public final class Session {
        public enum Phase { case awaitingStatus, awaitingHello, established }
        public let id: Int
        public let outgoing: Bool
        public internal(set) var phase: Phase
        public internal(set) var peer: Int?
        var input: [UInt8] = []
        public internal(set) var output: [UInt8] = []
        var helloLines: [String] = []
        var remoteTable: Int? = nil
        public internal(set) var lastLocalTable: Int? = nil
        var teach = false
        var dictionary = [String?](repeating: nil, count: 128)
        /// The texts sent, by id - 1, and the next id to reuse (HAProxy's
        /// TX dcache, a ring of 128).
        public internal(set) var sentDictionary = [String?](repeating: nil, count: 128)
        var nextDictionarySlot = 0
        public var receivedDictionary: [String?] { dictionary }
        public internal(set) var remoteTableName: String? = nil
        var openedAt: Int64 = 0
        init(id: Int, outgoing: Bool, peer: Int?) {
            self.id = id; self.outgoing = outgoing; self.peer = peer
            phase = outgoing ? .awaitingStatus : .awaitingHello
        }
    }

    /// `learn`: ask a peer for its tables (a node starting empty).
    public init(section: PeersSection, localName: String, pid: Int32, tables: StickTableSet, learn: Bool, now: Int64, wallSeconds: Int64) {
        self.section = section
        self.localName = localName
        self.pid = pid
        self.tables = tables
        // HAProxy registers the section's own `table`s first, then the proxies'.
        let own = tables.definitions.indices.filter { tables.definitions[$0].peers == section.name && tables.definitions[$0].name.hasPrefix(section.name + "/") }
        let proxies = tables.definitions.indices.filter { tables.definitions[$0].peers == section.name && !own.contains($0) }
        var shared: [(Int, Int)] = []
        for i in own + proxies { shared.append((i, shared.count + 1)) }
        self.shared = shared
        resyncDone = !learn
        resyncDeadline = learn ? now + Self.resyncTimeout : nil
        startedWall = wallSeconds
        random = UInt64(bitPattern: now) &* 0x9E37_79B9_7F4A_7C15 | 1
        for p in section.remotes(localName) {
            guard let a = p.address else { continue }
            peers.append(Peer(name: p.name, address: a, tables: shared.map { TableSync(local: $0.0, localID: $0.1) }))
        }
        if peers.isEmpty { resyncDone = true; resyncDeadline = nil }
    }

    // MARK: sessions

    /// A connection to peer `p` is being opened: its hello is queued.
    public func connecting(to p: Int, now: Int64) -> Int {
        let s = Session(id: nextSession, outgoing: true, peer: p)
        nextSession += 1
        sessions[s.id] = s
        let peer = peers[p]
        peer.session = s.id
        peer.newConnections += 1
        peer.status = .connecting
        peer.lastHandshake = now
        peer.reconnectAt = now + Self.reconnectTimeout
        peer.heartbeatAt = nil
        s.output = PeerHandshake.hello(remote: peer.name, local: localName, pid: pid)
        return s.id
    }

    /// The outgoing connection of session `s` was established (TCP).
    public func connected(_ s: Int, now: Int64) {
        guard let session = sessions[s], let p = session.peer else { return }
        if peers[p].status == .connecting { peers[p].status = .connected }
    }

    /// A connection was accepted; its peer is known once its hello is read.
    public func accepted(now: Int64) -> Int {
        let s = Session(id: nextSession, outgoing: false, peer: nil)
        s.openedAt = now
        nextSession += 1
        sessions[s.id] = s
        return s.id
    }

    /// The bytes queued for session `s`, taken.
    public func takeOutput(_ s: Int) -> [UInt8] {
        guard let session = sessions[s], !session.output.isEmpty else { return [] }
        defer { session.output.removeAll(keepingCapacity: true) }
        return session.output
    }

    /// Puts back what the socket did not take.
    public func requeue(_ s: Int, _ rest: ArraySlice<UInt8>) {
        guard let session = sessions[s] else { return }
        session.output.insert(contentsOf: rest, at: 0)
    }

    /// The connection of session `s` is gone.
    public func closed(_ s: Int, now: Int64) {
        guard let session = sessions.removeValue(forKey: s) else { return }
        closing.removeAll { $0 == s }
        guard let p = session.peer, peers[p].session == s else { return }
        let peer = peers[p]
        peer.session = nil
        peer.heartbeatAt = nil
        if peer.learning { unassignLearning(peer, now: now) }
        if session.phase != .established {
            // A failed connect or handshake: wait the full delay.
            peer.reconnectAt = now + Self.reconnectTimeout
        } else if peer.reconnectAt == nil || peer.reconnectAt! <= now {
            peer.reconnectAt = now + 50 + Int64(nextRandom() % 2000)
        }
    }

    private func close(_ session: Session) {
        if !closing.contains(session.id) { closing.append(session.id) }
    }

    private func nextRandom() -> UInt64 {
        random ^= random << 13; random ^= random >> 7; random ^= random << 17
        return random
    }

    // MARK: receiving

    /// Bytes read from session `s`'s socket.
    public func receive(_ s: Int, _ bytes: UnsafeRawBufferPointer, now: Int64) {
        guard let session = sessions[s], !closing.contains(s) else { return }
        session.input.append(contentsOf: bytes)
        process(session, now: now)
        if session.phase == .established { send(session, now: now) }
    }

    private func process(_ session: Session, now: Int64) {
        var consumed = 0
        defer { if consumed > 0 { session.input.removeFirst(consumed) } }
        while !closing.contains(session.id) {
            switch session.phase {
            case .awaitingStatus:
                guard let line = PeerHandshake.line(session.input[consumed...]) else { return }
                guard case .success(let (text, n)) = line else { close(session); return }
                consumed += n
                guard let p = session.peer else { close(session); return }
                let peer = peers[p]
                let code = Int(text.split(separator: " ").first ?? "") ?? 0
                peer.status = PeerHandshake.Status(rawValue: code) ?? .protocolError
                peer.lastHandshake = now
                guard code == PeerHandshake.Status.success.rawValue else { close(session); return }
                establish(session, peer, now: now)
            case .awaitingHello:
                guard let line = PeerHandshake.line(session.input[consumed...]) else { return }
                guard case .success(let (text, n)) = line else {
                    session.output += PeerHandshake.status(.protocolError)
                    close(session)
                    return
                }
                consumed += n
                session.helloLines.append(text)
                guard session.helloLines.count == 3 else { continue }
                let verdict = PeerHandshake.judge(version: session.helloLines[0], host: session.helloLines[1],
                                                  peerLine: session.helloLines[2], localName: localName,
                                                  knownPeers: peers.map(\.name))
                switch verdict {
                case .refused(let status):
                    session.output += PeerHandshake.status(status)
                    close(session)
                    return
                case .accepted(let name):
                    let p = peers.firstIndex { $0.name == name }!
                    let peer = peers[p]
                    if let old = peer.session, let previous = sessions[old] {
                        // The newest connection wins; the other side retries after a random delay.
                        previous.peer = nil
                        close(previous)
                        peer.collisions += 1
                        if peer.learning { unassignLearning(peer, now: now) }
                    }
                    session.peer = p
                    peer.session = session.id
                    session.output += PeerHandshake.status(.success)
                    peer.status = .success
                    peer.lastHandshake = now
                    establish(session, peer, now: now)
                }
            case .established:
                let frame = session.input.withUnsafeBytes { PeerMessage.frame($0, start: consumed) }
                switch frame {
                case .incomplete: return
                case .tooLarge:
                    PeerMessage.error(PeerMessage.errorSizeLimit, into: &session.output)
                    close(session)
                    return
                case .message(let c, let t, let payload, let length):
                    let ok = session.input.withUnsafeBytes { handle(session, c, t, PeerReader($0, from: payload.lowerBound, end: payload.upperBound), now: now) }
                    consumed += length
                    guard ok else {
                        if let p = session.peer { peers[p].protocolErrors += 1 }
                        PeerMessage.error(PeerMessage.errorProtocol, into: &session.output)
                        close(session)
                        return
                    }
                    if let p = session.peer { peers[p].alive = true }
                }
            }
        }
    }

    /// init_connected_peer: cursors from what the peer acknowledged.
    private func establish(_ session: Session, _ peer: Peer, now: Int64) {
        session.phase = .established
        peer.heartbeatAt = now + Self.heartbeatInterval
        peer.reconnectAt = now + Self.reconnectTimeout
        peer.confirm = 0
        peer.alive = false
        peer.requestSent = false
        for k in peer.tables.indices {
            let last = tables.withTable(peer.tables[k].local) { $0.lastUpdate }
            if Int32(bitPattern: last &- peer.tables[k].update) < 0 { peer.tables[k].update = 0 }
            peer.tables[k].lastGet = 0
            peer.tables[k].lastAcked = 0
            peer.tables[k].lastPushed = peer.tables[k].update
            peer.tables[k].teachingOrigin = peer.tables[k].update
            peer.tables[k].remoteID = 0
            peer.tables[k].remote = nil
        }
        if !resyncDone && resyncAssigned == nil {
            resyncAssigned = peers.firstIndex { $0 === peer }
            peer.learning = true
        }
    }

    private func unassignLearning(_ peer: Peer, now: Int64) {
        peer.learning = false
        peer.requestSent = false
        resyncAssigned = nil
        if !resyncDone { resyncDeadline = now + Self.resyncTimeout }
    }

    /// One message; false on a protocol error.
    private func handle(_ session: Session, _ c: UInt8, _ t: UInt8, _ reader: PeerReader, now: Int64) -> Bool {
        guard let p = session.peer else { return false }
        let peer = peers[p]
        var r = reader
        switch c {
        case PeerMessage.classControl:
            switch PeerMessage.Control(rawValue: t) {
            case .resyncRequest?:
                session.teach = true
                for k in peer.tables.indices {
                    peer.tables[k].teachingOrigin = peer.tables[k].update
                    peer.tables[k].lastPushed = peer.tables[k].update
                }
            case .resyncFinished?, .resyncPartial?:
                if peer.learning {
                    peer.learning = false
                    resyncAssigned = nil
                    if t == PeerMessage.Control.resyncFinished.rawValue { resyncDone = true; resyncDeadline = nil }
                    else { resyncDeadline = now + Self.resyncTimeout }
                }
                peer.confirm += 1
            case .resyncConfirm?:
                break
            case .heartbeat?:
                peer.rxHeartbeats += 1
                peer.reconnectAt = now + Self.reconnectTimeout
            default:
                break
            }
            return true
        case PeerMessage.classError:
            // The peer reports our error and closes.
            close(session)
            return true
        case PeerMessage.classTable:
            guard let kind = PeerMessage.TableKind(rawValue: t) else { return true }
            switch kind {
            case .define:
                switch PeerTableCodec.decodeDefinition(&r) {
                case .malformed: return false
                case .ignored(let id):
                    session.remoteTable = nil
                    for k in peer.tables.indices where peer.tables[k].remoteID == id { peer.tables[k].remoteID = 0 }
                case .table(let remote):
                    session.remoteTable = nil
                    for k in peer.tables.indices {
                        if peer.tables[k].remoteID == remote.id { peer.tables[k].remoteID = 0 }
                        let d = tables.definitions[peer.tables[k].local]
                        if session.remoteTable == nil && d.wireName == remote.name {
                            guard PeerTableCodec.matches(remote, d) else { break }
                            session.remoteTable = k
                            peer.tables[k].remoteID = remote.id
                            peer.tables[k].remote = remote
                        }
                    }
                    session.remoteTableName = session.remoteTable.map { tables.definitions[peer.tables[$0].local].name }
                }
            case .switchTable:
                guard let id = r.count() else { return false }
                session.remoteTable = peer.tables.indices.first { peer.tables[$0].remoteID == id }
            case .ack:
                guard let id = r.count(), let update = r.u32() else { return false }
                if !session.teach, let k = peer.tables.indices.first(where: { peer.tables[$0].localID == id }) {
                    peer.tables[k].update = update
                }
            default:
                guard kind.isUpdate else { return true }
                guard let k = session.remoteTable, let remote = peer.tables[k].remote else { return true }
                let local = peer.tables[k].local
                let d = tables.definitions[local]
                guard let u = PeerTableCodec.decodeUpdate(&r, kind: kind, remote: remote, keyType: d.keyType,
                                                          dictionary: &session.dictionary) else { return false }
                if let id = u.updateID { peer.tables[k].lastGet = id } else { peer.tables[k].lastGet &+= 1 }
                let clock = tables.clock()
                tables.withTable(local) { st in _ = PeerTableCodec.apply(u, to: st, now: clock) }
            }
            return true
        case PeerMessage.classReserved:
            return false
        default:
            return true
        }
    }

    // MARK: sending

    /// What is due: connections to open, sessions to drop, updates and
    /// heartbeats to send. Returns the peers to connect to.
    public func tick(now: Int64) -> [Int] {
        taskCalls += 1
        if !resyncDone, resyncAssigned == nil, let d = resyncDeadline, now >= d {
            resyncDone = true
            resyncDeadline = nil
        }
        // An accepted connection that does not say who it is in time (HAProxy's `timeout client`).
        for session in sessions.values where session.peer == nil && session.phase == .awaitingHello
        && now - session.openedAt >= Self.reconnectTimeout {
            close(session)
        }
        armWakes()
        var connect: [Int] = []
        for (p, peer) in peers.enumerated() {
            guard let s = peer.session, let session = sessions[s] else {
                if peer.reconnectAt.map({ now >= $0 }) ?? true { connect.append(p) }
                continue
            }
            if session.phase != .established {
                // A handshake that does not finish in time.
                if let at = peer.reconnectAt, now >= at { close(session) }
                continue
            }
            send(session, now: now)
            if let at = peer.reconnectAt, now >= at {
                if peer.alive {
                    peer.alive = false
                    peer.reconnectAt = now + Self.reconnectTimeout
                } else {
                    peer.noHeartbeats += 1
                    close(session)
                    continue
                }
            }
            if let at = peer.heartbeatAt, now >= at {
                PeerMessage.control(.heartbeat, into: &session.output)
                peer.txHeartbeats += 1
                peer.heartbeatAt = now + Self.heartbeatInterval
            }
        }
        return connect
    }

    /// A worker changed an entry this section pushes (it woke the peers
    /// process, as stktable_touch_local wakes HAProxy's peers task): the
    /// changes go to every connected peer now, so a client's next request
    /// finds them on whichever node it reaches.
    public func pushUpdates(now: Int64) {
        armWakes()
        for peer in peers {
            guard let s = peer.session, let session = sessions[s], session.phase == .established else { continue }
            send(session, now: now)
        }
    }

    /// Before a push round: the next local change of a shared table wakes us.
    private func armWakes() {
        for (t, _) in shared { tables.withTable(t) { $0.armPeersWake() } }
    }

    /// peer_send_msgs: a resync request, ACKs, a teach or the local
    /// updates, confirmations.
    private func send(_ session: Session, now: Int64) {
        guard let p = session.peer, !closing.contains(session.id) else { return }
        let peer = peers[p]
        if peer.learning && !peer.requestSent {
            PeerMessage.control(.resyncRequest, into: &session.output)
            peer.requestSent = true
        }
        let before = session.output.count
        for k in peer.tables.indices {
            if peer.tables[k].lastGet != peer.tables[k].lastAcked && peer.tables[k].remoteID != 0 {
                PeerMessage.ack(tableID: peer.tables[k].remoteID, update: peer.tables[k].lastGet, into: &session.output)
                peer.tables[k].lastAcked = peer.tables[k].lastGet
            }
            if session.teach { teachAll(session, peer, k) } else { pushLocal(session, peer, k) }
        }
        if session.teach {
            session.teach = false
            PeerMessage.control(resyncDone ? .resyncFinished : .resyncPartial, into: &session.output)
        }
        while peer.confirm > 0 {
            PeerMessage.control(.resyncConfirm, into: &session.output)
            peer.confirm -= 1
        }
        // Updates sent stand for a heartbeat.
        if session.output.count > before { peer.heartbeatAt = now + Self.heartbeatInterval }
    }

    private func defineIfNeeded(_ session: Session, _ peer: Peer, _ k: Int) {
        guard session.lastLocalTable != k else { return }
        PeerTableCodec.define(tables.definitions[peer.tables[k].local], localID: peer.tables[k].localID, into: &session.output)
        session.lastLocalTable = k
    }

    private func dictionaryID(_ session: Session, _ text: String) -> (id: Int, known: Bool) {
        if let i = session.sentDictionary.firstIndex(of: text) { return (i + 1, true) }
        let slot = session.nextDictionarySlot
        session.sentDictionary[slot] = text
        session.nextDictionarySlot = (slot + 1) % 128
        return (slot + 1, false)
    }

    /// The entries changed here since the last one pushed, oldest first.
    private func pushLocal(_ session: Session, _ peer: Peer, _ k: Int) {
        let t = peer.tables[k].local
        let d = tables.definitions[t]
        tables.withTable(t) { st in
            guard st.lastUpdate != peer.tables[k].lastPushed else { return }
            // Read holding the lock: no rate started after it (never "ago" < 0).
            let clock = tables.clock()
            var pending: [Int] = []
            st.localUpdates(after: peer.tables[k].lastPushed, limit: Int.max, into: &pending)
            guard !pending.isEmpty else {
                peer.tables[k].lastPushed = st.lastUpdate
                return
            }
            defineIfNeeded(session, peer, k)
            var sent = 0
            for i in pending.reversed() {
                let id = st.updateID(i)
                PeerTableCodec.update(st, i, d, updateID: id, now: clock, dictionaryID: { dictionaryID(session, $0) }, into: &session.output)
                peer.tables[k].lastPushed = id
                sent += 1
                if sent >= Self.maxUpdatesAtOnce { return }
            }
            peer.tables[k].lastPushed = st.lastUpdate
        }
    }

    /// Every entry of the table, local or learned (a peer's RESYNCREQ).
    private func teachAll(_ session: Session, _ peer: Peer, _ k: Int) {
        let t = peer.tables[k].local
        let d = tables.definitions[t]
        defineIfNeeded(session, peer, k)
        tables.withTable(t) { st in
            let clock = tables.clock()
            st.forEach(now: clock) { i in
                PeerTableCodec.update(st, i, d, updateID: st.updateID(i), now: clock, dictionaryID: { dictionaryID(session, $0) },
                                      into: &session.output)
            }
            peer.tables[k].lastPushed = st.lastUpdate
        }
    }

    /// Sessions whose connection failed to open or the node dropped.
    public var activeSessions: Int { sessions.count }
}
