import CFulcrum

/// The process heap as glibc's malloc keeps it.
public enum HeapMemory {
    /// Returns free heap pages to the system (malloc_trim(3)), so memory given
    /// back by a shrinking pool shows up as lower RSS.
    public static func trim() { _ = cf_malloc_trim() }
}
