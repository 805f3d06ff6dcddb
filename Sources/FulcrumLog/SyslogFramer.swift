/// Where a framed line goes, which decides how HAProxy 2.6 cuts it to the
/// target's `len` and ends it (`__do_send_log()`, `fd_write_frag_line()`,
/// `sink_write()`; the lengths were measured on haproxy 2.6.12's output).
public enum SyslogTransport: Equatable, Sendable {
    /// UDP and unix datagram sockets: header and line cut to `len` bytes,
    /// then "\n" (up to len + 1 bytes in the datagram).
    case datagram
    /// stdout, stderr, fd@N: header and line cut to len - 1 bytes, then
    /// "\n" (up to len bytes written).
    case fileDescriptor
    /// `ring@NAME`: the line alone cut to `len`, the ring's header put
    /// before it, the whole event cut to the ring's `maxlen`; no newline
    /// (a forwarder adds its own framing, `SyslogStreamFraming`).
    case ring(maxLength: Int)
}

/// One `log` target's framing: its header, facility, `len` and transport.
/// `frame` turns a rendered line into the exact bytes to hand to the sender,
/// in a buffer the caller reuses (no allocation once it has its capacity).
public struct SyslogFramer: Sendable {
    public var header: SyslogHeader
    public var facility: LogFacility
    /// `len` (HAProxy's default is 1024; the keyword accepts 80...65535).
    public var maxLength: Int
    public var transport: SyslogTransport

    public static let defaultMaxLength = 1024

    /// The last header written, for the formats whose header changes only
    /// with the second and the level (rfc3164 and the shorter ones): HAProxy
    /// rebuilds its header once a second too, and a busy target writes
    /// thousands of lines in between.
    private var lastHeader: [UInt8] = []
    private var lastHeaderKey: (seconds: Int64, offset: Int32, level: UInt8) = (.min, 0, 0)

    public init(header: SyslogHeader, facility: LogFacility, maxLength: Int = SyslogFramer.defaultMaxLength,
                transport: SyslogTransport) {
        self.header = header
        self.facility = facility
        self.maxLength = maxLength
        self.transport = transport
        // Room for the longest header it caches, so framing allocates nothing.
        lastHeader.reserveCapacity(64 + header.hostname.count + header.tag.count + header.pid.count)
    }

    /// Replaces `out` with the framed `line` (trailing "\n" and NUL bytes of
    /// `line` are dropped first, as HAProxy does).
    public mutating func frame(_ line: UnsafeRawBufferPointer, level: LogLevel, time: SyslogTime,
                               structuredData: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                               into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var body = line.bindMemory(to: UInt8.self)
        while let last = body.last, last == 0x0A || last == 0 { body = UnsafeBufferPointer(rebasing: body.dropLast()) }
        switch transport {
        case .datagram, .fileDescriptor:
            let limit = transport == .datagram ? maxLength : max(0, maxLength - 1)
            writeHeader(level: level, time: time, structuredData: structuredData, into: &out)
            if out.count > limit { out.removeLast(out.count - limit) }
            let room = limit - out.count
            out.append(contentsOf: UnsafeBufferPointer(rebasing: body.prefix(room)))
            out.append(0x0A)
        case .ring(let ringMax):
            writeHeader(level: level, time: time, structuredData: structuredData, into: &out)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: body.prefix(maxLength)))
            if out.count > ringMax { out.removeLast(out.count - ringMax) }
        }
    }

    private mutating func writeHeader(level: LogLevel, time: SyslogTime, structuredData: UnsafeRawBufferPointer,
                                      into out: inout [UInt8]) {
        switch header.format {
        case .rfc5424, .iso, .timed:  // microseconds, or the structured data
            header.write(facility: facility, level: level, time: time, structuredData: structuredData, into: &out)
        case .rfc3164, .unspecified, .local, .short, .priority, .raw:
            let key = (seconds: time.seconds, offset: time.utcOffsetSeconds, level: level.rawValue)
            if key != lastHeaderKey {
                lastHeader.removeAll(keepingCapacity: true)
                header.write(facility: facility, level: level, time: time, into: &lastHeader)
                lastHeaderKey = key
            }
            lastHeader.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        }
    }

    /// `frame` for a line held in an array.
    public mutating func frame(_ line: [UInt8], level: LogLevel, time: SyslogTime, structuredData: [UInt8] = [],
                      into out: inout [UInt8]) {
        line.withUnsafeBytes { l in
            structuredData.withUnsafeBytes { sd in frame(l, level: level, time: time, structuredData: sd, into: &out) }
        }
    }
}

/// How a ring's forwarder delimits events on a TCP connection to a syslog
/// server (`server ... log-proto legacy|octet-count` in a `ring` section).
public enum SyslogStreamFraming: Sendable {
    /// The event, then "\n" (HAProxy's default).
    case newline
    /// RFC 6587 §3.4.1 octet counting: `LEN SP EVENT`, no newline.
    case octetCounting

    /// Appends one event framed for the stream to `out` (not cleared: frames
    /// of several events can be batched into one write).
    public func append(_ event: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let bytes = event.bindMemory(to: UInt8.self)
        switch self {
        case .newline:
            out.append(contentsOf: bytes)
            out.append(0x0A)
        case .octetCounting:
            var divisor = 1
            while bytes.count / divisor >= 10 { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(bytes.count / divisor % 10))
                divisor /= 10
            }
            out.append(0x20)
            out.append(contentsOf: bytes)
        }
    }

    public func append(_ event: [UInt8], into out: inout [UInt8]) {
        event.withUnsafeBytes { append($0, into: &out) }
    }
}
