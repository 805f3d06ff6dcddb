import Glibc
import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumDNS
import FulcrumLog
import FulcrumPosix

/// The daemon's one DNS resolver: run by the master for the serving
/// generation, on non-blocking UDP sockets in the master's event loop. Each
/// name servers resolve is a `DNSResolution` (FulcrumDNS); its answers are
/// written to the generation's table as `set server addr` writes them, so
/// every worker and the checker follow at their next connection: addresses
/// (template slots kept while their address stays), SRV ports and weights,
/// and HAProxy's RMAINT ("MAINT (resolution)") for a server left without one.
final class GenerationResolver {
    struct Member {
        let backend: Int, server: Int, line: Int
        let port: Int
        let allowDuplicate: Bool, ignoreWeight: Bool
        let preferIPv4: Bool
        let networks: [IPNetwork]
        let label: String
    }
    struct Entry {
        let section: Int
        var resolution: DNSResolution
        var members: [Member]
        /// The SRV entry whose target this resolves (`+SRVTargets`); no members of its own.
        var serves: Int? = nil
    }
    struct NameserverState {
        let name: String
        let address: SocketAddress
        var tcp = false
        var counters = ResolverCounters()
    }
    struct Section {
        let name: String
        var nameservers: [NameserverState]
        let timing: DNSResolverTiming
        let payloadSize: Int
    }

    let table: SharedTable
    private(set) var sections: [Section] = []
    var entries: [Entry] = []
    /// Query id → entry, for the queries in flight.
    private var pending: [UInt16: Int] = [:]
    private var nextID = UInt16.random(in: 1...UInt16.max)
    /// AF_INET and AF_INET6 sockets, opened when a name server needs one.
    private(set) var sockets: [FileDescriptor?] = [nil, nil]
    private let configured: [[SocketAddress]]
    private let configuration: Configuration
    private var buffer = [UInt8](repeating: 0, count: 65536)
    /// The loop and token maker `open` was given (TCP queries register later).
    private(set) var loop: EventLoop?
    private(set) var token: ((Int) -> EventToken)?
    /// TCP queries in flight, by token slot (GenerationResolver+TCP).
    var tcpQueries: [ResolverTCPQuery?] = []
    /// Where server state changes are told (the backend's log targets and stderr).
    var report: (String, LogLevel, Int) -> Void = { line, _, _ in Log.warning(line) }

    /// nil when no server names a resolvers section.
    init?(_ loaded: LoadedConfiguration, table: SharedTable, now: Int64) {
        let c = loaded.configuration
        self.table = table
        self.configuration = c
        configured = loaded.serverAddresses
        let index = TableIndex(c)
        var sectionIndex: [String: Int] = [:]
        for s in c.resolvers {
            var servers = s.nameservers.map { NameserverState(name: $0.name, address: SocketAddress($0.address, port: $0.port), tcp: $0.transport == .tcp) }
            if s.parseResolvConf {
                for ip in GenerationResolver.resolvConfNameservers() where !servers.contains(where: { $0.name == ip.description }) {
                    servers.append(NameserverState(name: ip.description, address: SocketAddress(ip, port: 53)))
                }
            }
            var t = DNSResolverTiming()
            t.retries = s.resolveRetries
            t.timeoutRetry = Int64(s.timeoutRetry); t.timeoutResolve = Int64(s.timeoutResolve)
            t.holdValid = Int64(s.hold.valid); t.holdNX = Int64(s.hold.nx); t.holdOther = Int64(s.hold.other)
            t.holdRefused = Int64(s.hold.refused); t.holdTimeout = Int64(s.hold.timeout); t.holdObsolete = Int64(s.hold.obsolete)
            sectionIndex[s.name] = sections.count
            sections.append(Section(name: s.name, nameservers: servers, timing: t, payloadSize: s.acceptedPayloadSize))
        }
        if sectionIndex["default"] == nil {
            // haproxy 2.6 makes a "default" section of /etc/resolv.conf's servers.
            let servers = GenerationResolver.resolvConfNameservers().map { NameserverState(name: $0.description, address: SocketAddress($0, port: 53)) }
            if !servers.isEmpty {
                sectionIndex["default"] = sections.count
                sections.append(Section(name: "default", nameservers: servers, timing: DNSResolverTiming(), payloadSize: 512))
            }
        }
        for (bi, b) in c.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                let r = s.params.resolution
                guard let name = r.resolvers, let section = sectionIndex[name], s.unix == nil, IPAddress(s.host) == nil else { continue }
                let member = Member(backend: bi, server: si, line: index.serverLine(backend: bi, server: si), port: s.port ?? 0,
                                    allowDuplicate: r.allowDuplicateIP, ignoreWeight: r.ignoreWeight, preferIPv4: r.prefer == .ipv4,
                                    networks: r.networks,
                                    label: "\(b.name)/\(s.name)")
                add(member, name: s.host, preferIPv4: r.prefer == .ipv4, section: section, now: now)
            }
        }
        if entries.isEmpty && sections.isEmpty { return nil }
    }

    @discardableResult
    private func add(_ m: Member, name: String, preferIPv4: Bool, section: Int, now: Int64) -> Int {
        let wanted = DNSResolution(name: name, preferIPv4: preferIPv4, now: now)
        if let i = entries.firstIndex(where: { $0.serves == nil && $0.section == section && $0.resolution.name == wanted.name
                                                && $0.resolution.preferredType == wanted.preferredType }) {
            entries[i].members.append(m)
            return i
        }
        entries.append(Entry(section: section, resolution: wanted, members: [m]))
        return entries.count - 1
    }

    static func resolvConfNameservers(path: String = "/etc/resolv.conf") -> [IPAddress] {
        guard let fd = try? FileDescriptor.open(path, flags: O_RDONLY) else { return [] }
        defer { fd.close() }
        guard let bytes = try? fd.readAll() else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            return IPAddress(words[1])
        }
    }

    // MARK: sockets

    /// Opens the sockets the name servers need and registers them.
    func open(in loop: EventLoop, token: @escaping (Int) -> EventToken) {
        self.loop = loop
        self.token = token
        for family in [AF_INET, AF_INET6] {
            let k = family == AF_INET ? 0 : 1
            guard sockets[k] == nil, entries.contains(where: { e in sections[e.section].nameservers.contains { !$0.tcp && $0.address.family == family } }) else { continue }
            guard let fd = try? Socket.datagram(family: family) else {
                Log.alert("resolvers: cannot open a UDP socket: \(Errno.current)")
                continue
            }
            sockets[k] = fd
            try? loop.register(fd, .readable, token(k))
        }
    }

    func close(in loop: EventLoop) {
        for slot in tcpQueries.indices { closeTCP(slot) }
        for case let fd? in sockets { loop.remove(fd); fd.close() }
        sockets = [nil, nil]
    }

    // MARK: the loop

    /// Starts due resolutions, handles timeouts; the next deadline.
    func run(now: Int64) -> Int64? {
        expireTCP(now: now)
        var next: Int64? = nil
        for i in entries.indices where !entries[i].members.isEmpty || isWantedTarget(i) {
            let t = sections[entries[i].section].timing
            if entries[i].resolution.pendingID != nil {
                if now >= entries[i].resolution.sentAt + t.timeoutRetry {
                    let old = entries[i].resolution.pendingID!
                    pending[old] = nil
                    // haproxy 2.6 counts no `timeout` for a query left unanswered (side by side: 0).
                    let id = takeID()
                    if entries[i].resolution.timedOut(newID: id, now: now, t) { send(i, id: id) } else { apply(entries[i].serves ?? i) }
                }
            } else if now >= entries[i].resolution.nextStart(t) {
                let id = takeID()
                entries[i].resolution.start(id: id, now: now, t)
                send(i, id: id)
            }
            let d = entries[i].resolution.nextDeadline(t)
            next = min(next ?? d, d)
        }
        return next
    }

    private func takeID() -> UInt16 {
        repeat { nextID &+= 1 } while nextID == 0 || pending[nextID] != nil
        return nextID
    }

    private func send(_ i: Int, id: UInt16) {
        let e = entries[i]
        let section = sections[e.section]
        pending[id] = i
        guard let query = DNSCodec.query(id: id, name: e.resolution.name, type: e.resolution.queryType,
                                         payloadSize: section.payloadSize) else { return }
        for (n, ns) in section.nameservers.enumerated() {
            sections[e.section].nameservers[n].counters.sent += 1
            if ns.tcp {
                if !sendTCP(query, id: id, section: e.section, nameserver: n, now: e.resolution.sentAt) {
                    sections[e.section].nameservers[n].counters.sendError += 1
                }
                continue
            }
            guard let fd = sockets[ns.address.family == AF_INET ? 0 : 1] else {
                sections[e.section].nameservers[n].counters.sendError += 1
                continue
            }
            var address = ns.address
            let sent = query.withUnsafeBytes { q in
                withUnsafePointer(to: &address.storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd.rawValue, q.baseAddress!, q.count, Int32(MSG_NOSIGNAL), $0, address.length)
                    }
                }
            }
            if sent < 0 { sections[e.section].nameservers[n].counters.sendError += 1 }
        }
    }

    /// Reads every datagram waiting on socket `k`.
    func readable(_ k: Int, now: Int64) {
        if k >= GenerationResolver.firstTCPToken { tcpReady(k - GenerationResolver.firstTCPToken, now: now); return }
        guard k < sockets.count, let fd = sockets[k] else { return }
        while true {
            var from = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { b in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd.rawValue, b.baseAddress!, b.count, 0, $0, &length) }
                }
            }
            if n < 0 { return }
            received(Array(buffer[0..<n]), from: SocketAddress(storage: from, length: length), now: now)
        }
    }

    private func received(_ bytes: [UInt8], from: SocketAddress, now: Int64) {
        for (s, section) in sections.enumerated() {
            if let n = section.nameservers.firstIndex(where: { !$0.tcp && $0.address == from }) {
                received(bytes, section: s, nameserver: n, now: now)
                return
            }
        }
    }

    /// A response from name server `n` of section `s`.
    func received(_ bytes: [UInt8], section s: Int, nameserver n: Int, now: Int64) {
        guard case .success(let response) = DNSCodec.decode(bytes) else {
            sections[s].nameservers[n].counters.invalid += 1
            return
        }
        guard let i = pending[response.id], entries[i].section == s else {
            sections[s].nameservers[n].counters.outdated += 1
            return
        }
        // haproxy 2.6's counters: one per response, by its verdict (an answer
        // through a CNAME is `valid`, its `cname` counter stays 0).
        switch DNSAnswer.verdict(response, name: entries[i].resolution.name) {
        case .valid: sections[s].nameservers[n].counters.valid += 1
        case .nameError: sections[s].nameservers[n].counters.nx += 1
        case .refused: sections[s].nameservers[n].counters.refused += 1
        case .anyError: sections[s].nameservers[n].counters.anyError += 1
        case .cnameError: sections[s].nameservers[n].counters.cnameError += 1
        case .truncated: sections[s].nameservers[n].counters.truncated += 1
        case .invalid: sections[s].nameservers[n].counters.invalid += 1
        case .other: sections[s].nameservers[n].counters.other += 1
        }
        let newID = takeID()
        let before = entries[i].resolution.pendingID
        switch entries[i].resolution.receive(response, nameservers: sections[s].nameservers.count, newID: newID, now: now, sections[s].timing) {
        case .ignored, .waiting: break
        case .resend:
            if let before { pending[before] = nil }
            send(i, id: newID)
        case .done:
            if let before { pending[before] = nil }
            if entries[i].resolution.preferredType == .srv { followTargets(i, now: now) }
            if apply(entries[i].serves ?? i, by: "\(sections[s].name)/\(sections[s].nameservers[n].name)") {
                sections[s].nameservers[n].counters.update += 1
            }
        }
    }

    // MARK: applying answers

    /// Writes the resolution's result to its servers; whether any changed.
    @discardableResult
    func apply(_ i: Int, by updater: String = "DNS cache") -> Bool {
        let r = entries[i].resolution
        if r.status != .valid && r.holding { return false }
        var changed = false
        var backends: [Int] = []
        for m in entries[i].members where !backends.contains(m.backend) { backends.append(m.backend) }
        for b in backends {
            let members = entries[i].members.filter { $0.backend == b }
            let items = DNSSlotAssignment.preferring(members.first?.networks ?? [], r.items + targetItems(i))
            let current = members.map(currentAddress)
            let ports: [Int?] = members.map { table.serverAddress($0.line).map(\.port) }
            let choice = DNSSlotAssignment.assign(current: current, currentPorts: r.preferredType == .srv ? ports : [],
                                                  items: items, allowDuplicates: members.map(\.allowDuplicate))
            for (k, m) in members.enumerated() {
                // As in haproxy, the resolution's first server names the name server;
                // the others sharing it take the answer "by DNS cache".
                if let c = choice[k] {
                    let by = m.line == entries[i].members.first?.line ? updater : "DNS cache"
                    changed = give(items[c], to: m, was: current[k], srv: r.preferredType == .srv, by: by) || changed
                }
                else { changed = takeAway(m, status: r.status) || changed }
            }
        }
        return changed
    }

    private func currentAddress(_ m: Member) -> IPAddress? {
        if let a = table.serverAddress(m.line) { return a.ip }
        if table.serverAddressIsNone(m.line) { return nil }
        let a = configured[m.backend][m.server]
        return a.length == 0 ? nil : a.ipAddress
    }

    private func give(_ item: DNSResolvedItem, to m: Member, was: IPAddress?, srv: Bool, by updater: String) -> Bool {
        let port = item.port ?? m.port
        var changed = false
        let now = table.serverAddress(m.line)
        if was != item.address || (now != nil && now!.port != port) || (now == nil && srv) {
            table.setServerAddress(m.line, TableServerAddress(ip: item.address, port: port))
            report("\(m.label) changed its IP from \(was?.description ?? "(none)") to \(item.address) by \(updater).", .notice, m.backend)
            changed = true
        }
        if srv, !m.ignoreWeight, let w = item.weight {
            table.server(m.line, .weight).store(UInt64(DNSSlotAssignment.serverWeight(srv: w)))
        }
        // An SRV target becomes the server's FQDN (haproxy marks it HMAINT, as `set server fqdn`).
        if srv, let target = item.target, table.serverFQDN(m.line) != target { table.setServerFQDN(m.line, target) }
        let admin = table.server(m.line, .admin).load()
        if admin & SharedTable.Admin.resolutionMaintenance.rawValue != 0 {
            // Out of maintenance a checked server starts UP at `rise` and is checked at once, as in HAProxy.
            let params = configuration.backends[m.backend].servers[m.server].params
            table.server(m.line, .checkHealth).store(UInt64(params.check ? params.rise : 0))
            table.server(m.line, .operational).store(SharedTable.Operational.up.rawValue)
            table.server(m.line, .upSince).store(UInt64(MonotonicClock.nowMilliseconds()))
            table.server(m.line, .admin).store(admin & ~SharedTable.Admin.resolutionMaintenance.rawValue)
            table.server(m.line, .lastChange).store(UInt64(WallClock.nowSeconds()))
            let name = table.serverFQDN(m.line) ?? configuration.backends[m.backend].servers[m.server].host
            report("Server \(m.label) ('\(name)') is UP/READY (resolves again).", .notice, m.backend)
            report("Server \(m.label) administratively READY thanks to valid DNS answer.", .notice, m.backend)
            changed = true
        }
        return changed
    }

    private func takeAway(_ m: Member, status: DNSResolution.Status) -> Bool {
        let admin = table.server(m.line, .admin).load()
        guard admin & SharedTable.Admin.resolutionMaintenance.rawValue == 0 || !table.serverAddressIsNone(m.line) else { return false }
        // Maintenance first: no worker or check picks the server once its address is gone.
        table.server(m.line, .admin).store(admin | SharedTable.Admin.resolutionMaintenance.rawValue)
        table.server(m.line, .checkHealth).store(0)
        table.setServerAddressNone(m.line)
        // An SRV slot left empty has no FQDN ("-", without the HMAINT mark).
        if entries.contains(where: { $0.resolution.preferredType == .srv && $0.members.contains { $0.line == m.line } }) {
            table.setServerFQDN(m.line, "")
        }
        table.server(m.line, .lastChange).store(UInt64(WallClock.nowSeconds()))
        // haproxy 2.6's reasons (snr_resolution_error_cb, "No IP for server " with its space).
        let reason: String
        switch status {
        case .nx: reason = "DNS NX status"
        case .timeout: reason = "DNS timeout status"
        case .refused: reason = "DNS refused status"
        case .other: reason = "unspecified DNS error"
        default: reason = "No IP for server "
        }
        let server = configuration.backends[m.backend].servers[m.server]
        let (active, backups) = table.usableServers(backend: m.backend, of: configuration, index: TableIndex(configuration))
        let wasDown = table.server(m.line, .operational).load() == SharedTable.Operational.down.rawValue
        report(HealthLog.enterMaintenance(backend: configuration.backends[m.backend].name, server: server.name,
                                          backup: server.params.backup, wasDown: wasDown, cause: reason,
                                          activeLeft: active, backupLeft: backups,
                                          sessionsActive: Int(table.server(m.line, .conns).load()), requeued: 0, queued: 0),
               wasDown ? .notice : .alert, m.backend)
        return true
    }

    // MARK: runtime API

    func show(_ only: String?) -> String {
        ResolversFormat.show(sections.map { s in (s.name, s.nameservers.map { ($0.name, $0.counters) }) }, only: only)
    }

    func statCSV() -> String {
        ResolversFormat.statCSV(sections.map { s in (s.name, s.nameservers.map { ($0.name, $0.counters) }) })
    }

    /// `set server B/S fqdn NAME`: the server follows NAME from now on.
    func setFQDN(backend b: Int, server s: Int, line: Int, name: String, now: Int64) -> Bool {
        guard let ei = entries.firstIndex(where: { $0.members.contains { $0.line == line } }),
              let m = entries[ei].members.first(where: { $0.line == line }) else { return false }
        var probe: [UInt8] = []
        guard DNSName.encode(name, into: &probe), !name.isEmpty else { return false }
        entries[ei].members.removeAll { $0.line == line }
        if entries[ei].members.isEmpty, let id = entries[ei].resolution.pendingID {
            pending[id] = nil
            entries[ei].resolution.reset(now: now)
        }
        // Joins the servers already on that name (slots shared, no duplicate address).
        let joined = add(m, name: name, preferIPv4: entries[ei].resolution.preferredType == .a, section: entries[ei].section, now: now)
        if entries[joined].resolution.status == .valid { apply(joined) }
        table.setServerFQDN(line, DNSName.canonical(name))
        return true
    }

    /// Whether the server has a resolution (HAProxy refuses `set server fqdn` otherwise).
    func resolves(line: Int) -> Bool { entries.contains { $0.members.contains { $0.line == line } } }
}
