/// What a log target writes before each line, byte for byte as HAProxy 2.6's
/// `build_log_header()` does (checked against lines captured from haproxy
/// 2.6.12 in SyslogFrameTests):
///
///     rfc3164      <134>Dec  5 16:17:24 host tag[pid]: 
///     unspecified  <134>Dec  5 16:17:24 tag[pid]:          (no hostname sent)
///     local        <134>Dec  5 16:17:24 tag[pid]:          (never a hostname)
///     rfc5424      <134>1 2026-12-05T16:17:24.448503+00:00 host tag pid - SD 
///     short        <6>
///     timed        <6>2026-12-05T16:17:24.448767+00:00 
///     iso          2026-12-05T16:17:24.448740+00:00 
///     priority     <134>
///     raw          (nothing)
///
/// Hostname, tag and pid are kept as bytes, set once at configuration time,
/// so writing a header copies bytes and formats digits: no allocation once
/// the output buffer has its capacity.
public struct SyslogHeader: Sendable {
    public var format: SyslogFormat
    /// `log-send-hostname` (empty: not sent).
    public var hostname: [UInt8]
    /// `log-tag` (HAProxy's default is the program name, "haproxy").
    public var tag: [UInt8]
    /// The sending process's id in decimal.
    public var pid: [UInt8]

    public init(format: SyslogFormat, hostname: [UInt8] = [], tag: [UInt8] = Array("haproxy".utf8), pid: Int32) {
        self.format = format
        self.hostname = hostname
        self.tag = tag
        self.pid = Array(String(pid).utf8)
    }

    /// Appends the header of a line at `level` to `out`. `structuredData` is
    /// the rendered `log-format-sd` (empty: `-`), used by rfc5424 only.
    public func write(facility: LogFacility, level: LogLevel, time: SyslogTime,
                      structuredData: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                      into out: inout [UInt8]) {
        switch format {
        case .raw:
            return
        case .short:
            writePriority(Int(level.rawValue), into: &out)
        case .priority:
            writePriority(facility.priority(level), into: &out)
        case .iso:
            writeISOTime(time, into: &out)
            out.append(0x20)
        case .timed:
            writePriority(Int(level.rawValue), into: &out)
            writeISOTime(time, into: &out)
            out.append(0x20)
        case .rfc3164, .unspecified, .local:
            writePriority(facility.priority(level), into: &out)
            writeLegacyTime(time, into: &out)
            if format == .local {
                // No hostname field at all.
            } else if !hostname.isEmpty {
                append(hostname, into: &out)
                out.append(0x20)
            } else if format == .rfc3164 {
                // HAProxy: "the caller MUST fill the hostname, this field is mandatory".
                append(SyslogHeader.localhost, into: &out)
            }
            guard !tag.isEmpty else { return }
            append(tag, into: &out)
            if !pid.isEmpty {
                out.append(UInt8(ascii: "["))
                append(pid, into: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: ":"))
            out.append(0x20)
        case .rfc5424:
            writePriority(facility.priority(level), into: &out)
            out.append(UInt8(ascii: "1"))
            out.append(0x20)
            writeISOTime(time, into: &out)
            out.append(0x20)
            field(hostname, into: &out)
            field(tag, into: &out)
            field(pid, into: &out)
            out.append(UInt8(ascii: "-"))  // MSGID: HAProxy sets it only when relaying
            out.append(0x20)
            if structuredData.isEmpty {
                out.append(UInt8(ascii: "-"))
            } else {
                out.append(contentsOf: structuredData.bindMemory(to: UInt8.self))
            }
            out.append(0x20)
        }
    }

    static let localhost: [UInt8] = Array("localhost ".utf8)
    static let months: [UInt8] = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    @inline(__always)
    func append(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { out.append(contentsOf: $0) }
    }

    /// An rfc5424 header field followed by a space, NILVALUE when empty.
    @inline(__always)
    func field(_ bytes: [UInt8], into out: inout [UInt8]) {
        if bytes.isEmpty { out.append(UInt8(ascii: "-")) } else { append(bytes, into: &out) }
        out.append(0x20)
    }

    func writePriority(_ value: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        writeDecimal(value, into: &out)
        out.append(UInt8(ascii: ">"))
    }

    /// `Mmm dd HH:MM:SS ` in local time, the day padded with a space (`%2d`).
    func writeLegacyTime(_ time: SyslogTime, into out: inout [UInt8]) {
        let c = time.civil
        SyslogHeader.months.withUnsafeBufferPointer { m in
            let base = (c.month - 1) * 3
            out.append(m[base]); out.append(m[base + 1]); out.append(m[base + 2])
        }
        out.append(0x20)
        out.append(c.day < 10 ? 0x20 : UInt8(ascii: "0") + UInt8(c.day / 10))
        out.append(UInt8(ascii: "0") + UInt8(c.day % 10))
        out.append(0x20)
        writeClock(c, into: &out)
        out.append(0x20)
    }

    /// `YYYY-MM-DDTHH:MM:SS.uuuuuu+HH:MM` in local time with its offset, as
    /// HAProxy's `timeofday_as_iso_us(1)` (no `Z` form, even at UTC).
    func writeISOTime(_ time: SyslogTime, into out: inout [UInt8]) {
        let c = time.civil
        writePadded(c.year, digits: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        writePadded(c.month, digits: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        writePadded(c.day, digits: 2, into: &out)
        out.append(UInt8(ascii: "T"))
        writeClock(c, into: &out)
        out.append(UInt8(ascii: "."))
        writePadded(Int(time.microseconds), digits: 6, into: &out)
        let offset = Int(time.utcOffsetSeconds)
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let minutes = abs(offset) / 60
        writePadded(minutes / 60, digits: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        writePadded(minutes % 60, digits: 2, into: &out)
    }

    func writeClock(_ c: CivilTime, into out: inout [UInt8]) {
        writePadded(c.hour, digits: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        writePadded(c.minute, digits: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        writePadded(c.second, digits: 2, into: &out)
    }

    func writePadded(_ value: Int, digits: Int, into out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

    func writeDecimal(_ value: Int, into out: inout [UInt8]) {
        var divisor = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
