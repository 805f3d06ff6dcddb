import FulcrumHTTP

/// Storage for message heads, lent to a stream for the length of one exchange
/// (like the BufferPool's buffers): parsing reuses the arrays of a head that
/// served before, so a request allocates nothing, and an idle keep-alive
/// connection holds no head storage — not even the head's own fields, which
/// live in the lent box (a stream slot keeps two references).
struct HeadPool {
    private var free: [HeadBox] = []
    private var use = PoolUse()
    var inUse: Int { use.inUse }

    /// What a stream without a head reads: holds no memory.
    static let none = HTTPHead(kind: .request, reserving: false)

    mutating func take(kind: HTTPHead.Kind) -> HeadBox {
        use.lent()
        guard let box = free.popLast() else { return HeadBox(HTTPHead(kind: kind)) }
        box.head.kind = kind
        return box
    }

    mutating func give(_ box: inout HeadBox?) {
        guard let b = box else { return }
        box = nil
        use.givenBack()
        guard b.head.raw.capacity > 0 else { return }
        free.append(b)
    }

    /// Keeps what the recent peak needed above the current use (see BufferPool.shrink).
    @discardableResult
    mutating func shrink() -> Int {
        free.dropFree(keeping: use.keepOnShrink())
    }
}

/// One lent head. A class so that a stream holds a reference while it has a
/// head and nil while idle; the head itself sits at a fixed address so the
/// transaction reaches it through addressors (a `_read`/`_modify` coroutine
/// would allocate its frame on every access).
final class HeadBox {
    let pointer: UnsafeMutablePointer<HTTPHead>

    init(_ head: HTTPHead) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: head)
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    var head: HTTPHead {
        unsafeAddress { UnsafePointer(pointer) }
        unsafeMutableAddress { pointer }
    }

    /// What a stream without a head reads (never written through).
    static let none = HeadBox(HeadPool.none)
}
