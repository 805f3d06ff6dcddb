/// A `cache NAME` section: HAProxy's small object cache (manual section 6),
/// one shared memory area every worker stores into and serves from.
public struct CacheSection: Equatable, Sendable {
    /// HAProxy splits the cache into blocks of this many bytes.
    public static let blockSize = 1024
    public var name: String
    public var location: SourceLocation
    /// `total-max-size` in megabytes (mandatory, at most 4095).
    public var totalMaxSize = 0
    /// `max-object-size` in bytes; 0: not set (a 256th of the cache).
    public var maxObjectSize = 0
    /// `max-age` in seconds (60 by default).
    public var maxAge = 60
    /// `process-vary on|off` (off by default).
    public var processVary = false
    /// `max-secondary-entries` (10 by default).
    public var maxSecondaryEntries = 10
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }

    /// The cache's 1 kB blocks.
    public var blocks: Int { totalMaxSize * (1024 * 1024 / Self.blockSize) }
    /// The largest object stored: `max-object-size`, else a 256th of the cache.
    public var effectiveMaxObjectSize: Int { maxObjectSize > 0 ? maxObjectSize : (blocks * Self.blockSize) >> 8 }
}
