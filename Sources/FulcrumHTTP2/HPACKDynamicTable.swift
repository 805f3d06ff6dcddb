/// HPACK's dynamic table (RFC 7541 §2.3.2, §4): fields in insertion order,
/// the newest at index 1, each counting its name + value + 32 bytes
/// against a maximum size; adding evicts the oldest entries until the new
/// one fits, and an entry larger than the maximum empties the table.
///
/// The storage is sized once for the largest maximum the table may be set
/// to (`capacity`, the SETTINGS_HEADER_TABLE_SIZE bound): the names and
/// values live in one ring of bytes and the entries in a ring of offsets,
/// so adding and evicting never allocate. Entry bytes can wrap around the
/// ring's end; readers copy them in two pieces then.
public struct HPACKDynamicTable: Sendable {
    @usableFromInline struct Entry: Sendable {
        var start: Int
        var nameLength: Int
        var valueLength: Int
    }

    /// The per-entry overhead of §4.1.
    public static let entryOverhead = 32

    private var ring: [UInt8]
    private var entries: [Entry]
    private var oldest = 0
    private var bytesStart = 0
    private var bytesUsed = 0
    /// How many entries the table holds.
    public private(set) var count = 0
    /// The table's size as §4.1 counts it.
    public private(set) var size = 0
    /// The current maximum size (at most `capacity`).
    public private(set) var maxSize: Int
    /// The largest maximum size the storage holds.
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        maxSize = capacity
        ring = [UInt8](repeating: 0, count: Swift.max(capacity, 1))
        entries = [Entry](repeating: Entry(start: 0, nameLength: 0, valueLength: 0),
                          count: capacity / HPACKDynamicTable.entryOverhead + 1)
    }

    /// A table with a new capacity holding the same entries (those that
    /// fit, newest kept): the storage is allocated again, so this is for a
    /// changed SETTINGS bound, not for size updates.
    public func resized(capacity: Int) -> HPACKDynamicTable {
        var table = HPACKDynamicTable(capacity: capacity)
        table.maxSize = Swift.min(maxSize, capacity)
        var name: [UInt8] = [], value: [UInt8] = []
        for index in stride(from: count, through: 1, by: -1) {
            name.removeAll(keepingCapacity: true)
            value.removeAll(keepingCapacity: true)
            appendName(index, to: &name)
            appendValue(index, to: &value)
            name.withUnsafeBytes { n in value.withUnsafeBytes { v in table.add(name: n, value: v) } }
        }
        return table
    }

    /// Sets the maximum size (at most `capacity`), evicting what no longer fits.
    public mutating func setMaxSize(_ newValue: Int) {
        precondition(newValue <= capacity, "dynamic table size above its capacity")
        maxSize = newValue
        while size > maxSize { evictOldest() }
    }

    /// Adds a field as the new index 1 (§4.4).
    public mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let length = name.count + value.count
        guard length + HPACKDynamicTable.entryOverhead <= maxSize else {
            while count > 0 { evictOldest() }
            return
        }
        while size + length + HPACKDynamicTable.entryOverhead > maxSize { evictOldest() }
        let start = (bytesStart + bytesUsed) % ring.count
        write(name, at: start)
        write(value, at: (start + name.count) % ring.count)
        bytesUsed += length
        entries[(oldest + count) % entries.count] = Entry(start: start, nameLength: name.count, valueLength: value.count)
        count += 1
        size += length + HPACKDynamicTable.entryOverhead
    }

    /// Appends the name of entry `index` (1 is the newest) to `out`.
    public func appendName(_ index: Int, to out: inout [UInt8]) {
        let e = entry(index)
        copy(from: e.start, length: e.nameLength, to: &out)
    }

    /// Appends the value of entry `index` (1 is the newest) to `out`.
    public func appendValue(_ index: Int, to out: inout [UInt8]) {
        let e = entry(index)
        copy(from: (e.start + e.nameLength) % ring.count, length: e.valueLength, to: &out)
    }

    /// Whether entry `index` has `name`, and whether it also has `value`.
    func matches(_ index: Int, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> (name: Bool, full: Bool) {
        let e = entry(index)
        guard e.nameLength == name.count, equal(from: e.start, name) else { return (false, false) }
        return (true, e.valueLength == value.count && equal(from: (e.start + e.nameLength) % ring.count, value))
    }

    /// Entry `index` as (name length, value length), for tests and logs.
    public func lengths(_ index: Int) -> (name: Int, value: Int) {
        let e = entry(index)
        return (e.nameLength, e.valueLength)
    }

    private func entry(_ index: Int) -> Entry {
        precondition(index >= 1 && index <= count, "dynamic table index out of range")
        return entries[(oldest + count - index) % entries.count]
    }

    private mutating func evictOldest() {
        let e = entries[oldest]
        let length = e.nameLength + e.valueLength
        oldest = (oldest + 1) % entries.count
        count -= 1
        bytesStart = (bytesStart + length) % ring.count
        bytesUsed -= length
        size -= length + HPACKDynamicTable.entryOverhead
    }

    private mutating func write(_ bytes: UnsafeRawBufferPointer, at start: Int) {
        guard !bytes.isEmpty else { return }
        let first = Swift.min(bytes.count, ring.count - start)
        ring.withUnsafeMutableBytes { r in
            r.baseAddress!.advanced(by: start).copyMemory(from: bytes.baseAddress!, byteCount: first)
            if first < bytes.count {
                r.baseAddress!.copyMemory(from: bytes.baseAddress!.advanced(by: first), byteCount: bytes.count - first)
            }
        }
    }

    private func copy(from start: Int, length: Int, to out: inout [UInt8]) {
        let first = Swift.min(length, ring.count - start)
        out.append(contentsOf: ring[start..<(start + first)])
        if first < length { out.append(contentsOf: ring[0..<(length - first)]) }
    }

    private func equal(from start: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var position = start
        for b in bytes {
            if ring[position] != b { return false }
            position += 1
            if position == ring.count { position = 0 }
        }
        return true
    }
}
