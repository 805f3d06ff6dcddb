extension Collection where Element == UInt8 {
    /// Calls `body` with the bytes in contiguous memory: in place when they
    /// are stored so (arrays, slices, native strings' UTF-8), else copied once.
    @inlinable
    public func withContiguousBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withContiguousStorageIfAvailable(body) ?? Array(self).withUnsafeBufferPointer(body)
    }
}
