/// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), for keepalived's VRRPv2 `auth_type AH`, whose
/// Integrity Check Value is HMAC-MD5-96 (RFC 2403). Written here so the pure VRRP module
/// needs no crypto library; MD5 is used only as keepalived uses it, never for new security.
public struct MD5 {
    public static let digestLength = 16
    public static let blockLength = 64

    private var a: UInt32 = 0x6745_2301
    private var b: UInt32 = 0xEFCD_AB89
    private var c: UInt32 = 0x98BA_DCFE
    private var d: UInt32 = 0x1032_5476
    /// Bytes of an unfinished block (fewer than 64), kept in 16 little-endian words.
    private var pending: [UInt8] = []
    private var totalLength: UInt64 = 0

    public init() { pending.reserveCapacity(MD5.blockLength) }

    /// K[i] = floor(|sin(i + 1)| * 2^32) (RFC 1321 3.4).
    private static let constants: [UInt32] = [
        0xD76A_A478, 0xE8C7_B756, 0x2420_70DB, 0xC1BD_CEEE, 0xF57C_0FAF, 0x4787_C62A, 0xA830_4613, 0xFD46_9501,
        0x6980_98D8, 0x8B44_F7AF, 0xFFFF_5BB1, 0x895C_D7BE, 0x6B90_1122, 0xFD98_7193, 0xA679_438E, 0x49B4_0821,
        0xF61E_2562, 0xC040_B340, 0x265E_5A51, 0xE9B6_C7AA, 0xD62F_105D, 0x0244_1453, 0xD8A1_E681, 0xE7D3_FBC8,
        0x21E1_CDE6, 0xC337_07D6, 0xF4D5_0D87, 0x455A_14ED, 0xA9E3_E905, 0xFCEF_A3F8, 0x676F_02D9, 0x8D2A_4C8A,
        0xFFFA_3942, 0x8771_F681, 0x6D9D_6122, 0xFDE5_380C, 0xA4BE_EA44, 0x4BDE_CFA9, 0xF6BB_4B60, 0xBEBF_BC70,
        0x289B_7EC6, 0xEAA1_27FA, 0xD4EF_3085, 0x0488_1D05, 0xD9D4_D039, 0xE6DB_99E5, 0x1FA2_7CF8, 0xC4AC_5665,
        0xF429_2244, 0x432A_FF97, 0xAB94_23A7, 0xFC93_A039, 0x655B_59C3, 0x8F0C_CC92, 0xFFEF_F47D, 0x8584_5DD1,
        0x6FA8_7E4F, 0xFE2C_E6E0, 0xA301_4314, 0x4E08_11A1, 0xF753_7E82, 0xBD3A_F235, 0x2AD7_D2BB, 0xEB86_D391,
    ]
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        totalLength &+= UInt64(bytes.count)
        var index = 0
        if !pending.isEmpty {
            while index < bytes.count && pending.count < MD5.blockLength {
                pending.append(bytes[index])
                index += 1
            }
            guard pending.count == MD5.blockLength else { return }
            pending.withUnsafeBytes { compress(UnsafeRawBufferPointer(rebasing: $0[0..<MD5.blockLength])) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - index >= MD5.blockLength {
            compress(UnsafeRawBufferPointer(rebasing: bytes[index..<index + MD5.blockLength]))
            index += MD5.blockLength
        }
        while index < bytes.count {
            pending.append(bytes[index])
            index += 1
        }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The 16-byte digest; the hasher is spent afterwards.
    public mutating func finish() -> [UInt8] {
        let bits = totalLength &* 8
        var tail: [UInt8] = [0x80]
        let used = (pending.count + 1) % MD5.blockLength
        let padding = (used <= 56 ? 56 - used : 120 - used)
        tail.append(contentsOf: repeatElement(0, count: padding))
        for shift in stride(from: 0, to: 64, by: 8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        let saved = totalLength
        update(tail)
        totalLength = saved
        var digest: [UInt8] = []
        digest.reserveCapacity(MD5.digestLength)
        for word in [a, b, c, d] {
            for shift in stride(from: 0, to: 32, by: 8) { digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return digest
    }

    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = MD5()
        hasher.update(bytes)
        return hasher.finish()
    }

    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        func word(_ i: Int) -> UInt32 {
            UInt32(block[4 * i]) | UInt32(block[4 * i + 1]) << 8 | UInt32(block[4 * i + 2]) << 16 | UInt32(block[4 * i + 3]) << 24
        }
        var aa = a, bb = b, cc = c, dd = d
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (bb & cc) | (~bb & dd); g = i
            case 16..<32: f = (dd & bb) | (~dd & cc); g = (5 * i + 1) % 16
            case 32..<48: f = bb ^ cc ^ dd; g = (3 * i + 5) % 16
            default: f = cc ^ (bb | ~dd); g = (7 * i) % 16
            }
            f = f &+ aa &+ MD5.constants[i] &+ word(g)
            aa = dd
            dd = cc
            cc = bb
            let s = MD5.shifts[(i / 16) * 4 + i % 4]
            bb = bb &+ (f << s | f >> (32 - s))
        }
        a &+= aa
        b &+= bb
        c &+= cc
        d &+= dd
    }
}

/// HMAC-MD5 over the concatenation of `parts`, as keepalived's hmac_md5 computes it (a key
/// longer than 64 bytes is replaced by its MD5; keepalived always passes its 8-byte auth_data).
public enum HMACMD5 {
    public static func authenticate(key: [UInt8], _ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        var block = key.count > MD5.blockLength ? MD5.digest(key) : key
        block.append(contentsOf: repeatElement(0, count: MD5.blockLength - block.count))
        var inner = MD5()
        inner.update(block.map { $0 ^ 0x36 })
        for part in parts { inner.update(part) }
        let innerDigest = inner.finish()
        var outer = MD5()
        outer.update(block.map { $0 ^ 0x5C })
        outer.update(innerDigest)
        return outer.finish()
    }

    public static func authenticate(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticate(key: key, [$0]) }
    }
}
