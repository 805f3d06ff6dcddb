import FulcrumBytes

/// `cookie ... dynamic` with `dynamic-cookie-key KEY`: a server without a
/// `cookie` value gets HAProxy 2.6's (srv_set_dyncookie): XXH64, seed 0, of
/// the key, the server's address bytes (network order) and its port as
/// four big-endian bytes, written as 16 lower-case hex digits. Every load
/// balancer with the same key gives a server the same cookie.
public enum DynamicCookie {
    public static func value(key: String, address: IPAddress, port: Int) -> String {
        var bytes = Array(key.utf8)
        switch address {
        case .v4(let a):
            let v = a.value
            bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        case .v6(let a):
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((a.high >> UInt64(shift)) & 0xFF)) }
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((a.low >> UInt64(shift)) & 0xFF)) }
        }
        let p = UInt32(truncatingIfNeeded: port)
        bytes += [UInt8(p >> 24), UInt8((p >> 16) & 0xFF), UInt8((p >> 8) & 0xFF), UInt8(p & 0xFF)]
        let hash = bytes.withUnsafeBytes { XXH64.hash($0, seed: 0) }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
