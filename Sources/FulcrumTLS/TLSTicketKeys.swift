import COpenSSL

/// Session ticket keys every worker of a generation derives from one seed
/// the master put in the shared table: HAProxy shares its keys across
/// threads, Fulcrum across worker processes, so a client resumes whichever
/// worker the kernel hands its connection to. The seed is carried over a
/// reload, so tickets survive it.
public enum TLSTicketKeys {
    /// 80 bytes (16 name, 32 HMAC, 32 AES) from a 32-byte seed, by SHA-256.
    public static func derive(seed: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for label: UInt8 in [1, 2, 3] {
            var input = seed + [label]
            var digest = [UInt8](repeating: 0, count: 32)
            input.withUnsafeMutableBytes { i in
                digest.withUnsafeMutableBytes { d in
                    _ = SHA256(i.baseAddress!.assumingMemoryBound(to: UInt8.self), i.count,
                               d.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            out += label == 1 ? Array(digest.prefix(16)) : digest
        }
        return out
    }
}
