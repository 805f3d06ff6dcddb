import FulcrumConfig

/// `show peers [dict|-] [SECTION]`: HAProxy 2.6's dump (peers.c's
/// peers_dump_head / peers_dump_peer): the section, then every peer of
/// it, the local one included, last declared first, each with its
/// session and its shared tables (the last registered first). Addresses
/// of objects are stable made-up pointers: nothing reads them but eyes.
public enum PeersShow {
    /// What the daemon knows about a session's socket: source and destination.
    public struct Endpoints: Sendable {
        public var source: String
        public var destination: String
        public init(source: String, destination: String) { self.source = source; self.destination = destination }
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The answer; nil for an unknown section ("No such peers").
    public static func answer(_ words: [String], nodes: [PeersNode], now: Int64, utcOffset: Int,
                              endpoints: (PeersNode, Int) -> Endpoints?) -> String {
        var args = Array(words.dropFirst(2))
        let dictionary = args.first == "dict"
        if args.first == "dict" || args.first == "-" { args.removeFirst() }
        var selected = nodes
        if let name = args.first, !name.isEmpty {
            selected = nodes.filter { $0.section.name == name }
            if selected.isEmpty { return "No such peers\n" }
        }
        var out = ""
        for (n, node) in selected.enumerated() {
            if n > 0 { out += "\n" }
            out += head(node, index: n, now: now, utcOffset: utcOffset)
            for entry in node.section.peers.reversed() {
                out += peer(node, entry, now: now, dictionary: dictionary, endpoints: endpoints)
            }
        }
        return out
    }

    static func pointer(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
    static func base(_ node: PeersNode) -> UInt64 { 0x5600_0000_0000 + UInt64(UInt(bitPattern: ObjectIdentifier(node).hashValue) & 0xff_ffff) << 12 }

    /// HAProxy's human_time() on milliseconds shown in seconds.
    public static func humanTime(milliseconds: Int64) -> String {
        guard milliseconds >= 0 else { return "?" }
        let t = Int(milliseconds / 1000)
        var out = "", count = 0
        if t >= 86400 { out += "\(t / 86400)d"; count += 1 }
        if count < 2 && t % 86400 >= 3600 { out += "\(t % 86400 / 3600)h"; count += 1 }
        if count < 2 && t % 3600 >= 60 { out += "\(t % 3600 / 60)m"; count += 1 }
        if (count < 2 && t % 60 != 0) || t == 0 { out += "\(t % 60)s" }
        return out
    }

    static func deadline(_ at: Int64?, now: Int64) -> String {
        guard let at else { return "<NEVER>" }
        return at <= now ? "<PAST>" : humanTime(milliseconds: at - now)
    }

    static func head(_ node: PeersNode, index: Int, now: Int64, utcOffset: Int) -> String {
        let (d, mo, y, h, mi, s) = civil(node.startedWall + Int64(utcOffset))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var flags = 0x01
        if node.resyncDone { flags |= 0x02 }
        if node.resyncAssigned != nil { flags |= 0x04 }
        return "\(pointer(base(node))): [\(two(d))/\(months[mo - 1])/\(y):\(two(h)):\(two(mi)):\(two(s))] id=\(node.section.name) "
            + "disabled=\(node.section.disabled ? 1 : 0) flags=0x\(String(flags, radix: 16)) "
            + "resync_timeout=\(deadline(node.resyncDeadline, now: now)) task_calls=\(node.taskCalls)\n"
    }

    static func peer(_ node: PeersNode, _ entry: PeerEntry, now: Int64, dictionary: Bool,
                     endpoints: (PeersNode, Int) -> Endpoints?) -> String {
        let b = base(node)
        let position = UInt64(node.section.peers.firstIndex { $0.name == entry.name } ?? 0)
        let remote = node.peers.first { $0.name == entry.name }
        let session = remote?.session.flatMap { node.sessions[$0] }
        let address = (entry.address ?? node.section.bind).map { "\($0.host):\($0.port)" } ?? "0.0.0.0:0"
        var out = "  \(pointer(b + 0x1000 + position * 0x170)): id=\(entry.name)(\(remote == nil ? "local" : "remote"),"
            + "\(session == nil ? "inactive" : "active")) addr=\(address) last_status=\(remote?.status?.word ?? "NONE")"
            + " last_hdshk=\(remote?.lastHandshake.map { humanTime(milliseconds: now - $0) } ?? "<NEVER>")\n"
        out += "        reconnect=\(deadline(remote?.reconnectAt, now: now)) heartbeat=\(deadline(remote?.heartbeatAt, now: now))"
            + " confirm=\(remote?.confirm ?? 0) tx_hbt=\(remote?.txHeartbeats ?? 0) rx_hbt=\(remote?.rxHeartbeats ?? 0)"
            + " no_hbt=\(remote?.noHeartbeats ?? 0) new_conn=\(remote?.newConnections ?? 0) proto_err=\(remote?.protocolErrors ?? 0)"
            + " coll=\(remote?.collisions ?? 0)\n"
        out += "        flags=0x0"
        let tables: [PeersNode.TableSync] = remote?.tables ?? node.shared.map { PeersNode.TableSync(local: $0.table, localID: $0.localID) }
        if let session, remote != nil {
            let st0: Int
            switch session.phase {
            case .awaitingStatus: st0 = 6
            case .awaitingHello: st0 = 1
            case .established: st0 = 7
            }
            out += " appctx:\(pointer(0x7f00_0000_0000 + UInt64(session.id) * 0x1000)) st0=\(st0) st1=0 task_calls=\(node.taskCalls)"
                + " state=\(session.phase == .established ? "EST" : "CON")"
            // HAProxy names the connection of the sessions it opened.
            if session.outgoing, let e = endpoints(node, session.id) { out += "\n        xprt=RAW src=\(e.source) addr=\(e.destination)" }
            func line(_ k: Int) -> String {
                let t = tables[k]
                return "\(pointer(b + 0x80000 + UInt64(t.localID) * 0xb0)) id=\(node.tables.definitions[t.local].name) local_id=\(t.localID) remote_id=\(t.remoteID)"
            }
            if let name = session.remoteTableName, let k = tables.firstIndex(where: { node.tables.definitions[$0.local].name == name }) {
                out += "\n        remote_table:" + line(k)
            }
            if let k = session.lastLocalTable, k < tables.count { out += "\n        last_local_table:" + line(k) }
        }
        if !tables.isEmpty {
            out += "\n        shared tables:"
            for t in tables.reversed() {
                let last = node.tables.withTable(t.local) { $0.lastUpdate }
                out += "\n          \(pointer(b + 0x80000 + UInt64(t.localID) * 0xb0 + (remote == nil ? 0x58 : 0))) local_id=\(t.localID)"
                    + " remote_id=\(t.remoteID) flags=0x0 remote_data=0x\(String(t.remote?.data ?? 0, radix: 16))"
                out += "\n              last_acked=\(t.lastAcked) last_pushed=\(t.lastPushed) last_get=\(t.lastGet)"
                    + " teaching_origin=\(t.teachingOrigin) update=\(t.update)"
                out += "\n              table:\(pointer(b + 0x9000 + UInt64(t.local) * 0x4000)) id=\(node.tables.definitions[t.local].name)"
                    + " update=\(last) localupdate=\(last) commitupdate=\(last) refcnt=1"
                out += dictionary ? dump(session) : "\n        Dictionary cache not dumped (use \"show peers dict\")"
            }
        }
        return out + "\n"
    }

    /// `show peers dict`: the session's sent texts (up to the first unused
    /// id), then all 128 received ones, four a line.
    static func dump(_ session: PeersNode.Session?) -> String {
        func pad(_ i: Int) -> String { String(repeating: " ", count: max(0, 3 - String(i).count)) + String(i) }
        var out = "\n        TX dictionary cache:"
        var count = 0
        for (i, text) in (session?.sentDictionary ?? []).enumerated() {
            guard let text else { break }
            if count == 0 { out += "\n        " }
            count += 1
            out += "  \(pad(i)) -> \(text)"
            count &= 3
        }
        out += "\n        RX dictionary cache:"
        count = 0
        let received = session?.receivedDictionary ?? [String?](repeating: nil, count: 128)
        for (i, text) in received.enumerated() {
            if count == 0 { out += "\n        " }
            count += 1
            out += "  \(pad(i)) -> \(text ?? "-")"
            count &= 3
        }
        return out
    }

    /// Days since the epoch to a civil date (Howard Hinnant's algorithm).
    static func civil(_ seconds: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rem = Int(seconds - days * 86400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = Int(yoe + era * 400) + (m <= 2 ? 1 : 0)
        return (d, m, y, rem / 3600, rem % 3600 / 60, rem % 60)
    }
}
