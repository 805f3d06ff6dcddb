import FulcrumBytes
import FulcrumHTTP

/// A request's cache keys as HAProxy 2.6 builds them: the primary key is the
/// SHA-1 of "https://" + the Host header + the URI (the URI alone when it is
/// absolute), the secondary key (process-vary) a hash per header a response
/// may vary on: the Accept-Encoding bitmap, then the Referer's hash.
public struct HTTPCacheKey: Equatable, Sendable {
    /// The SHA-1 digest's 20 bytes.
    public var digest: (UInt64, UInt64, UInt32) = (0, 0, 0)

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.digest.0 == b.digest.0 && a.digest.1 == b.digest.1 && a.digest.2 == b.digest.2
    }

    /// The first 32 bits read as HAProxy reads them (`show cache`'s hash).
    public var hash32: UInt32 { UInt32(truncatingIfNeeded: digest.0) }

    /// nil when HAProxy computes none: an empty URI, or a relative one without Host.
    public static func primary(_ request: HTTPHead) -> HTTPCacheKey? {
        let uri = request.target
        guard !uri.isEmpty else { return nil }
        var sha = SHA1()
        if uri.first == UInt8(ascii: "/") || uri.first == UInt8(ascii: "*") {
            var values = request.fieldValues(named: "host")
            guard let host = values.next() else { return nil }
            sha.update("https://".utf8)
            var first = host.listElements().makeIterator()
            sha.update(first.next() ?? host)
        }
        sha.update(uri)
        var key = HTTPCacheKey()
        withUnsafeMutableBytes(of: &key.digest) { sha.finish(into: $0) }
        return key
    }
}

/// The Vary part of a key (HAProxy 2.6's HTTP_CACHE_SEC_KEY_LEN: 8 bytes).
public struct HTTPCacheSecondaryKey: Equatable, Sendable {
    public struct Signature: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let acceptEncoding = Signature(rawValue: 1)
        public static let referer = Signature(rawValue: 2)
    }
    /// Accepted encodings (request) or the response's encoding (entry).
    public var acceptEncoding: UInt32 = 0
    public var referer: UInt32 = 0
    public init(acceptEncoding: UInt32 = 0, referer: UInt32 = 0) { self.acceptEncoding = acceptEncoding; self.referer = referer }

    /// The full key of a request (before its response says what it varies
    /// on); nil when the request cannot have one (too many encodings).
    public static func request(_ head: HTTPHead) -> HTTPCacheSecondaryKey? {
        guard let ae = HTTPCacheEncoding.acceptedBitmap(head) else { return nil }
        var key = HTTPCacheSecondaryKey(acceptEncoding: ae)
        var referers = head.fieldValues(named: "referer")
        if let r = referers.next() { key.referer = Self.hash(r) }
        return key
    }

    /// Keeps only the parts `signature` names (HAProxy's reduce step).
    public func reduced(to signature: Signature) -> HTTPCacheSecondaryKey {
        HTTPCacheSecondaryKey(acceptEncoding: signature.contains(.acceptEncoding) ? acceptEncoding : 0,
                              referer: signature.contains(.referer) ? referer : 0)
    }

    /// A stored entry's key serves a request's: the entry's encoding is one
    /// the request accepts, and the referers hash alike.
    public func serves(_ request: HTTPCacheSecondaryKey) -> Bool {
        if acceptEncoding & HTTPCacheEncoding.other != 0 { return false }
        return acceptEncoding & request.acceptEncoding == acceptEncoding && referer == request.referer
    }

    /// `show cache`'s vary bytes: each part little-endian, in order.
    public var hex: String {
        var s = ""
        for word in [acceptEncoding, referer] {
            for i in 0..<4 {
                let b = UInt8(truncatingIfNeeded: word >> (UInt32(i) * 8))
                s += String(b >> 4, radix: 16) + String(b & 15, radix: 16)
            }
        }
        return s
    }

    /// FNV-1a folded to 32 bits (HAProxy hashes with a random seed: only
    /// equality matters).
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in bytes { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return h == 0 ? 1 : h
    }
}
