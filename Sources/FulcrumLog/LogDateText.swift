/// HAProxy's `dd/Mon/yyyy:HH:MM:SS.mmm` local date as text, for what is not
/// a log line (the runtime API's `show errors`).
public enum LogDateText {
    public static func withMilliseconds(micros: Int64, utcOffset: Int) -> String {
        var out: [UInt8] = []
        LogDate.appendWithMilliseconds(micros: micros, utcOffset: utcOffset, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
