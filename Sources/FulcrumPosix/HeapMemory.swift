import CFulcrum

/// The process heap as glibc's malloc keeps it.
public enum HeapMemory {
    /// Returns free heap pages to the system (malloc_trim(3)), so memory given
    /// back by a shrinking pool shows up as lower RSS.
    public static func trim() { _ = cf_malloc_trim() }

    /// The bytes the heap block of `object` holds (malloc_usable_size(3)):
    /// what a per-connection object really costs, for the budget tests.
    public static func usableSize(of object: AnyObject) -> Int {
        Int(cf_malloc_usable_size(Unmanaged.passUnretained(object).toOpaque()))
    }
}
