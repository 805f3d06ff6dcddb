/// HAProxy's `dd/Mon/yyyy:HH:MM:SS.mmm` local date as text, for what is not
/// a log line (the runtime API's `show errors`).
public enum LogDateText {
    public static func withMilliseconds(micros: Int64, utcOffset: Int) -> String {
        var out: [UInt8] = []
        var dates = LogDateCache()
        LogDate.appendWithMilliseconds(micros: micros, utcOffset: utcOffset, dates: &dates, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension LogDateText {
    /// `dd/Mon/yyyy:HH:MM:SS.uuuuuu` (`show sess ID`'s accept date).
    public static func withMicroseconds(micros: Int64, utcOffset: Int) -> String {
        var out: [UInt8] = []
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        LogDate.appendDayAndTime(CivilTime(localSeconds: seconds + Int64(utcOffset)), to: &out)
        let fraction = String(micros - seconds * 1_000_000)
        return String(decoding: out, as: UTF8.self) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
