/// How a field was represented, which an intermediary must keep for
/// never-indexed fields (RFC 7541 §6.2.3: re-encoded the same way).
public enum HPACKIndexing: UInt8, Sendable {
    /// Added to the dynamic table (§6.2.1).
    case incremental
    /// Not added to the dynamic table (§6.2.2).
    case withoutIndexing
    /// Not added here nor by any intermediary re-encoding it (§6.2.3).
    case neverIndexed
    /// A reference to an entry already in a table (§6.1).
    case indexed
}

/// One decoded field: where its name and value are in the list's bytes.
public struct HPACKField: Equatable, Sendable {
    public var name: Range<Int>
    public var value: Range<Int>
    public var indexing: HPACKIndexing
}

/// A decoded header block, owned by the caller and reused block after
/// block: names and values are copied back to back into one byte array and
/// the fields are offsets into it, so once both arrays have grown to a
/// connection's usual block, decoding allocates nothing.
public struct HPACKHeaderList: Sendable {
    /// Every field's name and value bytes.
    public internal(set) var bytes: [UInt8]
    /// The fields in block order.
    public internal(set) var fields: [HPACKField]

    public init(byteCapacity: Int = 4096, fieldCapacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(byteCapacity)
        fields = []
        fields.reserveCapacity(fieldCapacity)
    }

    public var count: Int { fields.count }

    /// The name of field `i`.
    public func name(_ i: Int) -> ArraySlice<UInt8> { bytes[fields[i].name] }
    /// The value of field `i`.
    public func value(_ i: Int) -> ArraySlice<UInt8> { bytes[fields[i].value] }

    /// Empties the list, keeping its storage.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
    }

    /// The fields as text pairs, for tests and logs (allocates).
    public var pairs: [(name: String, value: String)] {
        (0..<count).map { (String(decoding: name($0), as: UTF8.self), String(decoding: value($0), as: UTF8.self)) }
    }
}
