/// HAProxy 2.6's server_parse_maxconn_change_request(): strtol(), then the
/// value stored in the server's C int (so taken modulo 2^32; readers compare
/// it unsigned, as `show stat`'s slim prints it).
public enum RuntimeServerMaxconn {
    public static func parse(_ text: String) -> Result<UInt32, RuntimeError> {
        if text.isEmpty { return .failure(.message("Require <maxconn>.\n")) }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[i]) { i += 1 }
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        let digitsStart = i
        var magnitude: UInt64 = 0
        var overflow = false
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 || a > UInt64(Int64.max) + (negative ? 1 : 0) { overflow = true }
            magnitude = a
            i += 1
        }
        if i == digitsStart { return .failure(.message("maxconn string empty or preceded by garbage")) }
        if i < bytes.count { return .failure(.message("Trailing garbage in maxconn string")) }
        // strtol saturates at LONG_MIN / LONG_MAX.
        let value: Int64
        if overflow { value = negative ? Int64.min : Int64.max }
        else { value = negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude) }
        return .success(UInt32(truncatingIfNeeded: value))
    }
}
