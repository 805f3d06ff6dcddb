import COpenSSL
import Glibc

/// The one source of session ticket keys a server context uses, in one of
/// two shapes:
///
/// - derived (the default): every worker derives the same keys from one seed
///   the master put in the shared table, and they rotate: the key of period N
///   (one hour by default) encrypts new tickets; keys of earlier periods
///   still decrypt the tickets a session lifetime may have left valid, and a
///   ticket under an older key is renewed. HAProxy shares its keys across
///   threads, Fulcrum across worker processes, so a client resumes whichever
///   worker the kernel hands its connection to; the seed survives a reload,
///   so tickets do too. A derived key's 16-byte name says which period it
///   belongs to ("FLC1", the period, a check derived from the seed), so a
///   ticket's key is found without a search.
/// - from a file (`tls-ticket-keys`, HAProxy's format): the operator's keys,
///   the same in every worker and in any HAProxy reading the same file; the
///   one before last encrypts, the last three decrypt (HAProxy's ring of 3),
///   and a ticket under another of the three is renewed.
public final class TLSTicketRing: @unchecked Sendable {
    /// One key: its name (the first 16 bytes of a ticket), and the AES-CBC
    /// and HMAC-SHA256 keys, 16 bytes each (AES-128) or 32 (AES-256).
    public struct Key: Equatable {
        public var name: [UInt8]
        public var hmac: [UInt8]
        public var aes: [UInt8]
        public init(name: [UInt8], hmac: [UInt8], aes: [UInt8]) { self.name = name; self.hmac = hmac; self.aes = aes }

        /// A key of HAProxy's file: name, AES key, HMAC key, in that order
        /// (48 bytes: AES-128; 80: AES-256). nil for another size.
        public init?(haproxyBytes b: [UInt8]) {
            let part: Int
            switch b.count {
            case 48: part = 16
            case 80: part = 32
            default: return nil
            }
            name = Array(b[0..<16]); aes = Array(b[16..<16 + part]); hmac = Array(b[16 + part..<16 + 2 * part])
        }
    }

    private enum Source {
        case derived(seed: [UInt8])
        /// HAProxy's ring: `decrypting[0]` encrypts, the others only decrypt.
        case file(decrypting: [Key])
    }

    private let source: Source
    /// Seconds a derived key encrypts for.
    public let period: Int
    /// Periods back a derived key's ticket is still accepted: enough to cover a session's lifetime.
    public let acceptedPeriods: Int
    /// The clock (unix seconds), injectable for tests.
    let now: () -> Int
    private var cache: [(period: Int, key: Key)] = []

    public init(seed: [UInt8], period: Int = 3600, sessionLifetime: Int = 300,
                now: @escaping () -> Int = { Int(time(nil)) }) {
        source = .derived(seed: seed)
        self.period = max(1, period)
        self.acceptedPeriods = (max(0, sessionLifetime) + self.period - 1) / self.period
        self.now = now
    }

    /// The keys of a `tls-ticket-keys` file, in file order (at least 3, as
    /// HAProxy requires): HAProxy keeps the last three and encrypts with the
    /// one before last.
    public init(fileKeys keys: [Key]) {
        precondition(keys.count >= 3)
        let last3 = Array(keys.suffix(3))
        // The one before last first, then the last, then the third from last:
        // HAProxy's search order from its encryption index.
        source = .file(decrypting: [last3[1], last3[2], last3[0]])
        period = 1
        acceptedPeriods = 0
        now = { 0 }
    }

    /// The key new tickets are encrypted with now.
    public var current: Key {
        switch source {
        case .derived: return key(period: now() / period)
        case .file(let keys): return keys[0]
        }
    }

    /// The key a ticket named `name` was encrypted with, if it is one of
    /// ours and still accepted; `renew` when it is not the one encrypting.
    public func key(named name: UnsafeRawBufferPointer) -> (key: Key, renew: Bool)? {
        guard name.count == 16 else { return nil }
        if case .file(let keys) = source {
            guard let i = keys.firstIndex(where: { $0.name.elementsEqual(name) }) else { return nil }
            return (keys[i], i != 0)
        }
        guard name.prefix(4).elementsEqual(Self.prefix) else { return nil }
        var n = 0
        for b in name[4..<12] { n = n << 8 | Int(b) }
        let latest = now() / period
        guard n <= latest, latest - n <= acceptedPeriods else { return nil }
        let k = key(period: n)
        guard k.name.elementsEqual(name) else { return nil }
        return (k, n != latest)
    }

    static let prefix: [UInt8] = Array("FLC1".utf8)

    func key(period n: Int) -> Key {
        guard case .derived(let seed) = source else { return current }
        if let hit = cache.first(where: { $0.period == n }) { return hit.key }
        var be: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { be.append(UInt8(truncatingIfNeeded: n >> shift)) }
        let check = Self.sha256(seed + [0] + be)
        let key = Key(name: Self.prefix + be + check.prefix(4), hmac: Self.sha256(seed + [1] + be),
                      aes: Self.sha256(seed + [2] + be))
        cache.append((n, key))
        if cache.count > 4 { cache.removeFirst() }
        return key
    }

    static func sha256(_ input: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        input.withUnsafeBufferPointer { i in
            digest.withUnsafeMutableBufferPointer { d in _ = SHA256(i.baseAddress, i.count, d.baseAddress) }
        }
        return digest
    }
}

/// OpenSSL's ticket key callback: a new ticket (enc 1) under the current
/// key; an old one (enc 0) decrypted under the key its name gives, renewed
/// (2) when that key is not the current one, a full handshake (0) when it is
/// none of ours.
func ticketKeyCallback(_ ssl: OpaquePointer?, _ name: UnsafeMutablePointer<UInt8>?, _ iv: UnsafeMutablePointer<UInt8>?,
                       _ cipher: OpaquePointer?, _ mac: OpaquePointer?, _ enc: Int32) -> Int32 {
    guard let ssl, let name, let iv, let ctx = SSL_get_SSL_CTX(ssl), let owner = co_ctx_get_app_data(ctx),
          let ring = Unmanaged<TLSContext>.fromOpaque(owner).takeUnretainedValue().ticketRing else { return -1 }
    func initialize(_ k: TLSTicketRing.Key, _ enc: Int32) -> Bool {
        co_ticket_crypto_init(cipher, mac, k.aes, Int32(k.aes.count), k.hmac, Int32(k.hmac.count), iv, enc) == 1
    }
    if enc == 1 {
        let k = ring.current
        for i in 0..<16 { name[i] = k.name[i] }
        return initialize(k, 1) ? 1 : -1
    }
    guard let (k, renew) = ring.key(named: UnsafeRawBufferPointer(start: name, count: 16)) else { return 0 }
    guard initialize(k, 0) else { return -1 }
    // TLS 1.3 clients use a ticket once (OpenSSL's does): a resumed session
    // gets a fresh ticket, as OpenSSL's own keys give one, or the client's
    // next connection makes a full handshake.
    return renew || SSL_version(ssl) == TLS1_3_VERSION ? 2 : 1
}
