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

    /// After a binary upgrade: the region the previous image made (its
    /// descriptor crossed the exec), when it still holds these caches.
    static func httpCacheRegion(_ c: Configuration, inherited fd: Int32?) throws -> SharedMemory? {
        if let fd {
            let d = FileDescriptor(fd)
            try? d.setCloseOnExec(true)
            if let memory = try? SharedMemory(mapping: d), HTTPCacheRegion(memory, caches: c.caches) != nil { return memory }
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
