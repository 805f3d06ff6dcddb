/// The storage of a `ring` section (`ring NAME` / `size N`, HAProxy's
/// ring.c): a fixed number of bytes holding the latest events; writing a new
/// event deletes the oldest ones as needed, never blocks and never grows.
/// Each reader (the CLI's `show events NAME`, a forwarder to the ring's TCP
/// servers) keeps its own `Cursor` and reads on from it; a reader that fell
/// behind the oldest event continues at the oldest one and its cursor counts
/// what it missed.
///
/// Differences from HAProxy kept on purpose: an event costs 4 bytes of
/// length here (HAProxy: 1 reader-count byte and a varint), and a reader
/// never holds writers back (HAProxy drops new events while an attached
/// reader sits on the oldest one; here the reader loses the old ones
/// instead, so a dead forwarder never silences the ring).
public final class LogRing {
    /// `size` in bytes.
    public let capacity: Int
    var storage: UnsafeMutablePointer<UInt8>
    /// Absolute byte positions (they only grow): the oldest event, the end.
    var head: Int64 = 0
    var tail: Int64 = 0
    /// Sequence numbers of the oldest event and of the next one written.
    public private(set) var firstSequence: UInt64 = 0
    public private(set) var nextSequence: UInt64 = 0
    /// Events deleted to make room.
    public private(set) var overwritten: UInt64 = 0
    /// Events refused because they could never fit.
    public private(set) var refused: UInt64 = 0

    static let lengthBytes = 4

    public init(capacity: Int) {
        precondition(capacity > LogRing.lengthBytes, "ring too small")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        storage.initialize(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    /// Where a reader stands.
    public struct Cursor: Equatable, Sendable {
        var position: Int64
        var sequence: UInt64
        /// Events deleted before this reader got to them.
        public internal(set) var missed: UInt64 = 0
    }

    /// A cursor at the oldest event still held (`show events`).
    public var oldest: Cursor { Cursor(position: head, sequence: firstSequence) }
    /// A cursor past the newest event: reads only what comes next (`show events -w -n`).
    public var end: Cursor { Cursor(position: tail, sequence: nextSequence) }
    /// Events held now.
    public var count: Int { Int(nextSequence - firstSequence) }
    /// Bytes in use, lengths included.
    public var usedBytes: Int { Int(tail - head) }

    /// Stores one event, deleting the oldest as needed. Returns false (and
    /// counts it) when the event is larger than the ring can ever hold.
    @discardableResult
    public func write(_ event: UnsafeRawBufferPointer) -> Bool {
        let needed = LogRing.lengthBytes + event.count
        guard needed <= capacity else { refused += 1; return false }
        while Int(tail - head) + needed > capacity {
            head += Int64(LogRing.lengthBytes + Int(loadLength(at: head)))
            firstSequence += 1
            overwritten += 1
        }
        var length = UInt32(event.count).littleEndian
        withUnsafeBytes(of: &length) { store($0, at: tail) }
        store(event, at: tail + Int64(LogRing.lengthBytes))
        tail += Int64(needed)
        nextSequence += 1
        return true
    }

    @discardableResult
    public func write(_ event: [UInt8]) -> Bool { event.withUnsafeBytes { write($0) } }

    /// Replaces `out` with the event at `cursor` and moves the cursor past
    /// it; false when the reader is at the end (nothing new).
    public func read(_ cursor: inout Cursor, into out: inout [UInt8]) -> Bool {
        if cursor.sequence < firstSequence || cursor.position < head {
            cursor.missed += firstSequence - min(cursor.sequence, firstSequence)
            cursor.position = head
            cursor.sequence = firstSequence
        }
        guard cursor.position < tail else { return false }
        let length = Int(loadLength(at: cursor.position))
        out.removeAll(keepingCapacity: true)
        var offset = index(cursor.position + Int64(LogRing.lengthBytes))
        var remaining = length
        while remaining > 0 {
            let run = min(remaining, capacity - offset)
            out.append(contentsOf: UnsafeBufferPointer(start: storage + offset, count: run))
            remaining -= run
            offset = 0
        }
        cursor.position += Int64(LogRing.lengthBytes + length)
        cursor.sequence += 1
        return true
    }

    /// Empties the ring (`clear` on the CLI); cursors continue at the end.
    public func removeAll() {
        head = tail
        firstSequence = nextSequence
    }

    @inline(__always)
    func index(_ position: Int64) -> Int { Int(position % Int64(capacity)) }

    func store(_ bytes: UnsafeRawBufferPointer, at position: Int64) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var offset = index(position)
        var done = 0
        while done < bytes.count {
            let run = min(bytes.count - done, capacity - offset)
            (storage + offset).update(from: base.assumingMemoryBound(to: UInt8.self) + done, count: run)
            done += run
            offset = 0
        }
    }

    func loadLength(at position: Int64) -> UInt32 {
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { dst in
            var offset = index(position)
            for i in 0..<LogRing.lengthBytes {
                dst[i] = storage[offset]
                offset = offset + 1 == capacity ? 0 : offset + 1
            }
        }
        return UInt32(littleEndian: value)
    }
}
