/// The fields of a byte slice between separators, as slices of it (no copy,
/// no array): cookie pairs split on ";", query parameters on "&", and HTTP
/// list values on "," outside quoted strings (RFC 9110 §5.6.1, where a
/// backslash escapes the next byte inside quotes). Empty fields are
/// produced too; callers that skip them say so.
public struct ByteFields: Sequence, IteratorProtocol {
    @usableFromInline var rest: ArraySlice<UInt8>
    @usableFromInline let separator: UInt8
    @usableFromInline let quotedStrings: Bool
    @usableFromInline var done = false

    @inlinable
    public init(_ bytes: ArraySlice<UInt8>, separator: UInt8, quotedStrings: Bool = false) {
        rest = bytes; self.separator = separator; self.quotedStrings = quotedStrings
    }

    @inlinable
    public mutating func next() -> ArraySlice<UInt8>? {
        guard !done else { return nil }
        var i = rest.startIndex, quoted = false
        while i < rest.endIndex {
            let c = rest[i]
            if quotedStrings && c == 0x22 {
                quoted.toggle()
            } else if quoted && c == 0x5C {
                i += 1
            } else if c == separator && !quoted {
                let field = rest[rest.startIndex..<i]
                rest = rest[(i + 1)...]
                return field
            }
            i += 1
        }
        done = true
        return rest
    }
}

extension ArraySlice where Element == UInt8 {
    /// Fields between `separator` bytes (see `ByteFields`).
    @inlinable
    public func fields(separatedBy separator: UInt8) -> ByteFields { ByteFields(self, separator: separator) }

    /// The elements of an HTTP comma-separated list value, blanks trimmed,
    /// commas inside quoted strings kept (HAProxy's http_find_header).
    @inlinable
    public func listElements() -> LazyMapSequence<ByteFields, ArraySlice<UInt8>> {
        ByteFields(self, separator: 0x2C, quotedStrings: true).lazy.map { $0.trimmingBlanks() }
    }

    /// The first occurrence of `pattern` at or after `from`.
    @inlinable
    public func firstRange<P: Collection>(of pattern: P, from: Int? = nil) -> Range<Int>? where P.Element == UInt8 {
        let n = pattern.count
        var i = from ?? startIndex
        guard n > 0 else { return i..<i }
        while i + n <= endIndex {
            if self[i..<(i + n)].elementsEqual(pattern) { return i..<(i + n) }
            i += 1
        }
        return nil
    }
}
