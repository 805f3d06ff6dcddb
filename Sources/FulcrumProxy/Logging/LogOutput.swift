import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumLog
import FulcrumPosix

/// A process's `log` targets: each configured target (with the tag of the
/// proxy that names it) becomes a destination holding its framing
/// (`SyslogFramer`), its level filter and sampling, and the index of the
/// socket that sends it (`LogSenderSet`, one per distinct address). Roles
/// render a line, then `send` it to a list of destinations; nothing here
/// blocks or allocates per line once the frame buffer has its capacity.
public final class LogOutput {
    struct Destination {
        var framer: SyslogFramer
        var sender: Int
        var sampling: LogSampling?
        /// Lines less severe are not sent; more severe than `minLevel` are sent as `minLevel`.
        var level: LogLevel
        var minLevel: LogLevel
        /// Streams: how each framed line is delimited (`tcp@`: octet
        /// counting, RFC 6587 §3.4.1; a ring's server: its `log-proto`).
        var streamFraming: SyslogStreamFraming?
        let key: Key
    }
    struct Key: Equatable {
        var target: LogTarget
        var tag: String
        /// A ring target has one destination per server of the ring.
        var ringServer = 0
    }

    public let senders: LogSenderSet
    private var destinations: [Destination] = []
    private let hostname: [UInt8]
    private let defaultTag: String
    private let pid: Int32
    private let rings: [RingSection]
    private var frame: [UInt8] = []
    private var counted: [UInt8] = []
    /// Local time minus UTC (refresh with `refreshClock`).
    public private(set) var utcOffsetSeconds: Int32 = WallClock.utcOffsetSeconds()

    /// - kind: the role's event token kind for log sockets.
    /// - rings: the configuration's `ring` sections (`log ring@NAME`).
    public init(loop: EventLoop, kind: UInt8, global: GlobalSettings, rings: [RingSection] = []) {
        self.rings = rings
        senders = LogSenderSet(loop: loop, kind: kind)
        switch global.logHostname {
        case nil: hostname = []
        case .system?: hostname = Array(ProcessIdentity.hostName.utf8)
        case .name(let n)?: hostname = Array(n.utf8)
        }
        defaultTag = global.logTag ?? ProcessIdentity.programName
        pid = ProcessIdentity.pid
        frame.reserveCapacity(2048)
        counted.reserveCapacity(2048)
    }

    /// The destinations for a proxy's (or the global section's) targets,
    /// logged under `tag` (nil: the global tag). Configuration time: opens
    /// sockets. A target whose address does not resolve is left out with a
    /// warning (the configuration check resolved it once already).
    public func destinations(for targets: [LogTarget], tag: String? = nil) -> [Int] {
        var list: [Int] = []
        for t in targets {
            if case .ring(let name) = t.address {
                list += ringDestinations(t, ring: name, tag: tag ?? defaultTag)
                continue
            }
            let key = Key(target: t, tag: tag ?? defaultTag)
            if let i = destinations.firstIndex(where: { $0.key == key }) { list.append(i); continue }
            guard let (address, transport) = LogOutput.senderTarget(t.address, maxLength: t.maxLength) else {
                Log.warning("log target at \(t.location) cannot be opened; its lines are not sent")
                continue
            }
            let header = SyslogHeader(format: t.format, hostname: hostname, tag: Array(key.tag.utf8), pid: pid)
            let framer = SyslogFramer(header: header, facility: t.facility, maxLength: t.maxLength, transport: transport)
            var streamFraming: SyslogStreamFraming? = nil
            if case .tcp = address { streamFraming = .octetCounting }
            destinations.append(Destination(framer: framer, sender: senders.sender(for: address), sampling: t.sampling,
                                            level: t.level, minLevel: t.minLevel, streamFraming: streamFraming, key: key))
            list.append(destinations.count - 1)
        }
        return list
    }

    /// `log ring@NAME`: one destination per server of the ring, each a TCP
    /// connection holding up to the ring's `size` bytes while the server is
    /// away; lines framed in the ring's `format`, cut to `len` then to the
    /// ring's `maxlen`, delimited by the server's `log-proto`.
    private func ringDestinations(_ t: LogTarget, ring name: String, tag: String) -> [Int] {
        guard let ring = rings.first(where: { $0.name == name }) else {
            Log.warning("log target at \(t.location): no ring '\(name)'; its lines are not sent")
            return []
        }
        var list: [Int] = []
        for (n, server) in ring.servers.enumerated() {
            let key = Key(target: t, tag: tag, ringServer: n)
            if let i = destinations.firstIndex(where: { $0.key == key }) { list.append(i); continue }
            guard let address = SocketAddress.resolve(host: server.host, port: server.port) else {
                Log.warning("ring '\(name)' server '\(server.name)' at \(server.location) does not resolve; its lines are not sent")
                continue
            }
            let header = SyslogHeader(format: ring.format, hostname: hostname, tag: Array(tag.utf8), pid: pid)
            let framer = SyslogFramer(header: header, facility: t.facility, maxLength: t.maxLength,
                                      transport: .ring(maxLength: ring.maxLength))
            let sender = senders.sender(for: .tcp(address), queueBytes: ring.size,
                                        connectTimeout: ring.connectTimeout.map(Int64.init),
                                        stallTimeout: ring.serverTimeout.map(Int64.init))
            destinations.append(Destination(framer: framer, sender: sender, sampling: t.sampling, level: t.level,
                                            minLevel: t.minLevel,
                                            streamFraming: server.framing == .octetCount ? .octetCounting : .newline,
                                            key: key))
            list.append(destinations.count - 1)
        }
        return list
    }

    /// The socket and the framing of a target: `tcp@` is HAProxy's implicit
    /// ring (no line feed; the stream framing delimits lines), cut to `len`.
    static func senderTarget(_ address: LogTargetAddress, maxLength: Int) -> (LogSender.Target, SyslogTransport)? {
        func resolve(_ host: String, _ port: Int, _ family: LogTargetAddress.Family) -> SocketAddress? {
            guard let a = SocketAddress.resolve(host: host, port: port) else { return nil }
            switch family {
            case .any: return a
            case .ipv4: return a.family == AF_INET ? a : nil
            case .ipv6: return a.family == AF_INET6 ? a : nil
            }
        }
        switch address {
        case .unixDatagram(let path): return (.unixDatagram(path: path), .datagram)
        case .udp(let host, let port, let family):
            return resolve(host, port, family).map { (.udp($0), .datagram) }
        case .tcp(let host, let port, let family):
            return resolve(host, port, family).map { (.tcp($0), .ring(maxLength: maxLength)) }
        case .fd(let n): return (.fileDescriptor(FileDescriptor(n)), .fileDescriptor)
        case .ring: return nil
        }
    }

    /// Sends a rendered line to each of `list` that takes `level`.
    /// `wallMicros`: the event's wall-clock time (the header's date).
    public func send(_ line: UnsafeRawBufferPointer, level: LogLevel, to list: [Int], wallMicros: UInt64,
                     structuredData: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        let time = SyslogTime(seconds: Int64(wallMicros / 1_000_000), microseconds: Int32(wallMicros % 1_000_000),
                              utcOffsetSeconds: utcOffsetSeconds)
        for i in list {
            guard level <= destinations[i].level else { continue }
            if destinations[i].sampling != nil, !destinations[i].sampling!.take() { continue }
            let sent = max(level, destinations[i].minLevel)
            destinations[i].framer.frame(line, level: sent, time: time, structuredData: structuredData, into: &frame)
            if let framing = destinations[i].streamFraming {
                counted.removeAll(keepingCapacity: true)
                frame.withUnsafeBytes { framing.append($0, into: &counted) }
                counted.withUnsafeBytes { _ = senders.send(destinations[i].sender, $0) }
            } else {
                frame.withUnsafeBytes { _ = senders.send(destinations[i].sender, $0) }
            }
        }
    }

    public func send(_ line: [UInt8], level: LogLevel, to list: [Int], wallMicros: UInt64 = WallClock.nowMicroseconds()) {
        line.withUnsafeBytes { send($0, level: level, to: list, wallMicros: wallMicros) }
    }

    /// An event message (server state, proxy start/stop) at `level`.
    public func send(_ message: String, level: LogLevel, to list: [Int]) {
        guard !list.isEmpty else { return }
        send(Array(message.utf8), level: level, to: list)
    }

    /// Re-reads the UTC offset (a daylight-saving change); about once a second.
    public func refreshClock() { utcOffsetSeconds = WallClock.utcOffsetSeconds() }

    /// Lines lost so far (`show info`'s DroppedLogs).
    public var dropped: UInt64 { senders.totals.dropped }
    private var publishedDrops: UInt64 = 0

    /// Adds the lines lost since the last call to the shared `word` (the
    /// table's DroppedLogs); cheap enough to call every loop turn.
    public func publishDrops(to word: SharedWord) {
        guard !senders.senders.isEmpty else { return }
        let now = dropped
        if now != publishedDrops { word.add(now &- publishedDrops); publishedDrops = now }
    }
}
