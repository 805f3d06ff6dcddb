/// A bounded FIFO of byte frames in one block allocated up front: what a log
/// target holds while its socket cannot take more. Each frame stays
/// contiguous (a datagram goes out in one send), so a frame that does not fit
/// before the end of the block starts again at its beginning; pushing never
/// allocates and fails (the caller drops the line) when the block is full.
public struct LogFrameQueue {
    public let capacity: Int
    let storage: UnsafeMutableRawPointer
    /// Offsets of the first frame and of the next write; `end` is where the
    /// frames before the wrap stop (`capacity` when not wrapped).
    var head = 0, tail = 0, end: Int
    var wrapped = false
    public private(set) var count = 0
    /// Bytes of the frames held (without their length words).
    public private(set) var bytes = 0

    static let lengthSize = MemoryLayout<UInt32>.size

    /// Frames up to `capacity - 4` bytes fit (4 bytes of length each).
    public init(capacity: Int) {
        precondition(capacity > LogFrameQueue.lengthSize)
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: MemoryLayout<UInt32>.alignment)
        end = capacity
    }

    /// Frees the block; the queue must not be used afterwards.
    public func deallocate() { storage.deallocate() }

    public var isEmpty: Bool { count == 0 }

    /// The largest frame an empty queue accepts.
    public var largestFrame: Int { capacity - LogFrameQueue.lengthSize }

    /// Appends a copy of `frame`; false when there is no room for it.
    public mutating func push(_ frame: UnsafeRawBufferPointer) -> Bool {
        let needed = (LogFrameQueue.lengthSize + frame.count + 3) & ~3
        guard needed <= capacity else { return false }
        var at: Int
        if !wrapped {
            if tail + needed <= capacity {
                at = tail
            } else if needed <= head {
                end = tail
                wrapped = true
                at = 0
            } else {
                return false
            }
        } else {
            guard tail + needed <= head else { return false }
            at = tail
        }
        storage.storeBytes(of: UInt32(frame.count), toByteOffset: at, as: UInt32.self)
        if let base = frame.baseAddress, frame.count > 0 {
            (storage + at + LogFrameQueue.lengthSize).copyMemory(from: base, byteCount: frame.count)
        }
        tail = at + needed
        count += 1
        bytes += frame.count
        return true
    }

    /// The oldest frame, in place (valid until the next push or pop).
    public var first: UnsafeRawBufferPointer? {
        guard count > 0 else { return nil }
        let length = Int(storage.load(fromByteOffset: head, as: UInt32.self))
        return UnsafeRawBufferPointer(start: storage + head + LogFrameQueue.lengthSize, count: length)
    }

    /// Removes the oldest frame.
    public mutating func removeFirst() {
        guard count > 0 else { return }
        let length = Int(storage.load(fromByteOffset: head, as: UInt32.self))
        head += (LogFrameQueue.lengthSize + length + 3) & ~3
        count -= 1
        bytes -= length
        if count == 0 {
            head = 0; tail = 0; end = capacity; wrapped = false
        } else if wrapped && head >= end {
            head = 0; end = capacity; wrapped = false
        }
    }

    /// Removes every frame; returns how many there were.
    @discardableResult
    public mutating func removeAll() -> Int {
        let n = count
        head = 0; tail = 0; end = capacity; wrapped = false; count = 0; bytes = 0
        return n
    }
}
