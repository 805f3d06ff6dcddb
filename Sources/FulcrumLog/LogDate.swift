/// The dates of a log line, written from microseconds since the epoch and a
/// UTC offset without the C library (no localtime_r, no TZ file read in the
/// worker): `05/Dec/2026:16:12:22.123` (`%t`), `05/Dec/2026:16:12:22 +0000`
/// (`%T`) and `05/Dec/2026:17:12:22 +0100` (`%Tl`).
enum LogDate {
    struct Civil {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// The civil date of `seconds` since the epoch (proleptic Gregorian,
    /// Howard Hinnant's days-from-civil inverse).
    static func civil(_ seconds: Int64) -> Civil {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(year: Int(year), month: Int(month), day: Int(day),
                     hour: Int(rest / 3600), minute: Int(rest / 60 % 60), second: Int(rest % 60))
    }

    static let monthNames: [UInt8] = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// `dd/Mon/yyyy:HH:MM:SS`, the part every log date shares.
    static func appendDayAndTime(_ c: Civil, to out: inout [UInt8]) {
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
    static func appendWithMilliseconds(micros: Int64, utcOffset: Int, to out: inout [UInt8]) {
        let (seconds, fraction) = split(micros)
        appendDayAndTime(civil(seconds + Int64(utcOffset)), to: &out)
        out.append(ASCIIByte.dot)
        appendPadded(Int(fraction / 1000), width: 3, to: &out)
    }

    /// `%T`, `%trg` (offset 0, written "+0000") and `%Tl`, `%trl` (the local
    /// offset as ±hhmm): HAProxy's gmt2str_log and localdate2str_log.
    static func appendWithZone(micros: Int64, utcOffset: Int, to out: inout [UInt8]) {
        let (seconds, _) = split(micros)
        appendDayAndTime(civil(seconds + Int64(utcOffset)), to: &out)
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
