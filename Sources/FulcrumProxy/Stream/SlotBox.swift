/// Out-of-line storage for a stream's rarely used values (the client's TLS
/// facts, the local address): a nil box costs a stream slot 8 bytes instead of
/// the value's full size, which every idle keep-alive connection would hold
/// (issue 10's memory target). Once made the box stays with the slot, so a
/// later occupant that needs the value again allocates nothing.
final class SlotBox<Value> {
    var value: Value?
    init(_ value: Value?) { self.value = value }
}

extension Optional {
    /// Reads a value kept in a slot box.
    @inline(__always)
    func boxed<Value>() -> Value? where Wrapped == SlotBox<Value> { self?.value }

    /// Stores `value` in the box, making the box only for a non-nil value.
    @inline(__always)
    mutating func store<Value>(_ value: Value?) where Wrapped == SlotBox<Value> {
        if let box = self { box.value = value } else if value != nil { self = SlotBox(value) }
    }
}
