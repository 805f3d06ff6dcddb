import FulcrumBytes

/// The values of the fields with one name (case-insensitive), or of every
/// field, kept ones first then added ones, as slices of the head: what rules
/// and fetches iterate without building an array (`break` stops early).
public struct HTTPFieldValues: Sequence, IteratorProtocol {
    let head: HTTPHead
    let name: String?
    var kept = 0
    var added = 0

    init(_ head: HTTPHead, name: String?) { self.head = head; self.name = name }

    public mutating func next() -> ArraySlice<UInt8>? {
        while kept < head.fields.count {
            let f = head.fields[kept]
            kept += 1
            if !f.removed && (name.map { head.fieldNameEquals(f, $0) } ?? true) { return head.raw[f.value] }
        }
        while added < head.added.count {
            let a = head.added[added]
            added += 1
            if name.map({ ASCII.equalsIgnoringCase(a.name, $0.utf8) }) ?? true { return a.value[...] }
        }
        return nil
    }
}

extension HTTPHead {
    /// Values of the fields named `name` (every field when nil), in order.
    public func fieldValues(named name: String?) -> HTTPFieldValues { HTTPFieldValues(self, name: name) }

    /// A field with this name is present (kept or added).
    public func hasField(_ name: String) -> Bool {
        var values = fieldValues(named: name)
        return values.next() != nil
    }
}
