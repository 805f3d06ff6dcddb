/// The dates of a log line, written from microseconds since the epoch and a
/// UTC offset without the C library (no localtime_r, no TZ file read in the
/// worker): `05/Dec/2026:16:12:22.123` (`%t`), `05/Dec/2026:16:12:22 +0000`
/// (`%T`) and `05/Dec/2026:17:12:22 +0100` (`%Tl`).
enum LogDate {
    static let monthNames: [UInt8] = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// `dd/Mon/yyyy:HH:MM:SS`, the part every log date shares.
    static func appendDayAndTime<S: LogByteSink>(_ c: CivilTime, to out: inout S) {
        appendPadded(c.day, width: 2, to: &out)
        out.put(ASCIIByte.slash)
        let m = (c.month - 1) * 3
        monthNames.withUnsafeBufferPointer { names in
            out.put(names[m]); out.put(names[m + 1]); out.put(names[m + 2])
        }
        out.put(ASCIIByte.slash)
        appendPadded(c.year, width: 4, to: &out)
        out.put(ASCIIByte.colon)
        appendPadded(c.hour, width: 2, to: &out)
        out.put(ASCIIByte.colon)
        appendPadded(c.minute, width: 2, to: &out)
        out.put(ASCIIByte.colon)
        appendPadded(c.second, width: 2, to: &out)
    }

    /// `%t`, `%tr`: local time with milliseconds (HAProxy's date2str_log).
    static func appendWithMilliseconds<S: LogByteSink>(micros: Int64, utcOffset: Int, dates: inout LogDateCache, to out: inout S) {
        let (seconds, fraction) = split(micros)
        dates.appendDayAndTime(localSeconds: seconds + Int64(utcOffset), to: &out)
        out.put(ASCIIByte.dot)
        appendPadded(Int(fraction / 1000), width: 3, to: &out)
    }

    /// `%T`, `%trg` (offset 0, written "+0000") and `%Tl`, `%trl` (the local
    /// offset as ±hhmm): HAProxy's gmt2str_log and localdate2str_log.
    static func appendWithZone<S: LogByteSink>(micros: Int64, utcOffset: Int, dates: inout LogDateCache, to out: inout S) {
        let (seconds, _) = split(micros)
        dates.appendDayAndTime(localSeconds: seconds + Int64(utcOffset), to: &out)
        out.put(ASCIIByte.space)
        out.put(utcOffset < 0 ? ASCIIByte.minus : ASCIIByte.plus)
        let minutes = abs(utcOffset) / 60
        appendPadded(minutes / 60, width: 2, to: &out)
        appendPadded(minutes % 60, width: 2, to: &out)
    }

    /// Whole seconds and the microseconds left (both non-negative).
    static func split(_ micros: Int64) -> (Int64, Int64) {
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        return (seconds, fraction)
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    static func appendPadded<S: LogByteSink>(_ value: Int, width: Int, to out: inout S) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 { LogNumber.appendDecimal(Int64(v), to: &out); return }
        while divisor > 0 {
            out.put(UInt8(truncatingIfNeeded: v / divisor) &+ 0x30)
            v %= divisor
            divisor /= 10
        }
    }
}

/// The `dd/Mon/yyyy:HH:MM:SS` text of the last two seconds a caller wrote
/// (a local and a GMT date may share a line), as HAProxy formats its log
/// dates once a second: the rest of a second's lines copy 20 bytes.
public struct LogDateCache: Sendable {
    private var seconds: (Int64, Int64) = (.min, .min)
    /// Each slot's 20 bytes of text.
    private var text: ((UInt64, UInt64, UInt32), (UInt64, UInt64, UInt32)) = ((0, 0, 0), (0, 0, 0))
    /// The slot the next new second replaces.
    private var next = 0

    public init() {}

    static let length = 20

    mutating func appendDayAndTime<S: LogByteSink>(localSeconds: Int64, to out: inout S) {
        if seconds.0 == localSeconds { return withUnsafeBytes(of: &text.0) { Self.append($0, to: &out) } }
        if seconds.1 == localSeconds { return withUnsafeBytes(of: &text.1) { Self.append($0, to: &out) } }
        let civil = CivilTime(localSeconds: localSeconds)
        let slot = next
        if slot == 0 { seconds.0 = .min } else { seconds.1 = .min }
        let kept = slot == 0 ? withUnsafeMutableBytes(of: &text.0) { Self.format(civil, into: $0) }
                             : withUnsafeMutableBytes(of: &text.1) { Self.format(civil, into: $0) }
        guard kept else { return LogDate.appendDayAndTime(civil, to: &out) }  // a year past 9999: not kept
        if slot == 0 { seconds.0 = localSeconds } else { seconds.1 = localSeconds }
        next ^= 1
        appendDayAndTime(localSeconds: localSeconds, to: &out)
    }

    /// Writes the text into a slot; false when it is not exactly 20 bytes.
    private static func format(_ civil: CivilTime, into slot: UnsafeMutableRawBufferPointer) -> Bool {
        let bytes = slot.bindMemory(to: UInt8.self)
        var writer = LogLineWriter(base: bytes.baseAddress!, capacity: length)
        LogDate.appendDayAndTime(civil, to: &writer)
        return !writer.overflowed && writer.count == length
    }

    @inline(__always)
    private static func append<S: LogByteSink>(_ slot: UnsafeRawBufferPointer, to out: inout S) {
        out.put(UnsafeRawBufferPointer(rebasing: slot[0..<length]).bindMemory(to: UInt8.self))
    }
}
