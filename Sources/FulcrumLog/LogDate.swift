/// The dates of a log line, written from microseconds since the epoch and a
/// UTC offset without the C library (no localtime_r, no TZ file read in the
/// worker): `05/Dec/2026:16:12:22.123` (`%t`), `05/Dec/2026:16:12:22 +0000`
/// (`%T`) and `05/Dec/2026:17:12:22 +0100` (`%Tl`).
enum LogDate {
    static let monthNames: [UInt8] = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// `dd/Mon/yyyy:HH:MM:SS`, the part every log date shares.
    static func appendDayAndTime(_ c: CivilTime, to out: inout [UInt8]) {
        appendPadded(c.day, width: 2, to: &out)
        out.append(ASCIIByte.slash)
        let m = (c.month - 1) * 3
        monthNames.withUnsafeBufferPointer { names in
            out.append(names[m]); out.append(names[m + 1]); out.append(names[m + 2])
        }
        out.append(ASCIIByte.slash)
        appendPadded(c.year, width: 4, to: &out)
        out.append(ASCIIByte.colon)
        appendPadded(c.hour, width: 2, to: &out)
        out.append(ASCIIByte.colon)
        appendPadded(c.minute, width: 2, to: &out)
        out.append(ASCIIByte.colon)
        appendPadded(c.second, width: 2, to: &out)
    }

    /// `%t`, `%tr`: local time with milliseconds (HAProxy's date2str_log).
    static func appendWithMilliseconds(micros: Int64, utcOffset: Int, dates: inout LogDateCache, to out: inout [UInt8]) {
        let (seconds, fraction) = split(micros)
        dates.appendDayAndTime(localSeconds: seconds + Int64(utcOffset), to: &out)
        out.append(ASCIIByte.dot)
        appendPadded(Int(fraction / 1000), width: 3, to: &out)
    }

    /// `%T`, `%trg` (offset 0, written "+0000") and `%Tl`, `%trl` (the local
    /// offset as ±hhmm): HAProxy's gmt2str_log and localdate2str_log.
    static func appendWithZone(micros: Int64, utcOffset: Int, dates: inout LogDateCache, to out: inout [UInt8]) {
        let (seconds, _) = split(micros)
        dates.appendDayAndTime(localSeconds: seconds + Int64(utcOffset), to: &out)
        out.append(ASCIIByte.space)
        out.append(utcOffset < 0 ? ASCIIByte.minus : ASCIIByte.plus)
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
    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 { LogNumber.appendDecimal(Int64(v), to: &out); return }
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: v / divisor) &+ 0x30)
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

    mutating func appendDayAndTime(localSeconds: Int64, to out: inout [UInt8]) {
        if seconds.0 == localSeconds { return withUnsafeBytes(of: &text.0) { Self.append($0, to: &out) } }
        if seconds.1 == localSeconds { return withUnsafeBytes(of: &text.1) { Self.append($0, to: &out) } }
        let mark = out.count
        LogDate.appendDayAndTime(CivilTime(localSeconds: localSeconds), to: &out)
        guard out.count - mark == Self.length else { return }  // a year past 9999: not kept
        out.withUnsafeBufferPointer { written in
            let fresh = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(written)[mark..<(mark + Self.length)])
            if next == 0 {
                withUnsafeMutableBytes(of: &text.0) { $0.copyMemory(from: fresh) }
                seconds.0 = localSeconds
            } else {
                withUnsafeMutableBytes(of: &text.1) { $0.copyMemory(from: fresh) }
                seconds.1 = localSeconds
            }
        }
        next ^= 1
    }

    @inline(__always)
    private static func append(_ slot: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: slot[0..<length]).bindMemory(to: UInt8.self))
    }
}
