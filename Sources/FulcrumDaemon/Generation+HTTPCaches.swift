import FulcrumConfig
import FulcrumPosix
import FulcrumProxy

extension Generation {
    /// The region of a configuration's `cache` sections: the previous
    /// generation's when its caches are the same (a reload keeps the
    /// objects), else a new, empty one; nil without a cache section.
    static func httpCacheRegion(_ c: Configuration, previous: Generation?) throws -> SharedMemory? {
        if let previous, let memory = previous.httpCaches, previous.loaded.configuration.caches.map(\.shape) == c.caches.map(\.shape) {
            return memory
        }
        return try HTTPCacheRegion.make(c.caches)
    }
}

extension Generation {
    /// `show cache` for the master's runtime API, from its own mapping.
    func showCache() -> (() -> String)? {
        guard let memory = httpCaches, let region = HTTPCacheRegion(memory, caches: loaded.configuration.caches) else { return nil }
        return { region.show(now: UInt32(truncatingIfNeeded: WallClock.nowSeconds())) }
    }
}

extension CacheSection {
    /// What an object's place in the region depends on (a changed max-age keeps the objects).
    var shape: String { "\(name)/\(blocks)" }
}
