import FulcrumBytes

/// Encodes header fields into header blocks (RFC 7541 §6), keeping the
/// dynamic table the peer's decoder mirrors. The choice per field is the
/// one the RFC's examples make: a full match in the static, then the
/// dynamic table is sent as an index; otherwise a literal, with the name
/// indexed when a table has it, added to the dynamic table unless the
/// caller says not to.
public struct HPACKEncoder: Sendable {
    /// When string literals are Huffman-coded.
    public enum HuffmanPolicy: Sendable {
        case never, always, whenShorter
    }

    /// The dynamic table as the fields encoded so far left it.
    public private(set) var table: HPACKDynamicTable
    public var huffman: HuffmanPolicy
    /// Size updates owed to the decoder at the next block's start (§4.2):
    /// the smallest maximum since the last block, then the current one.
    private var smallestPending: Int?
    private var updatePending = false

    /// `maxTableSize` bounds the table this encoder keeps, whatever larger
    /// SETTINGS_HEADER_TABLE_SIZE a peer offers (it only allows up to it).
    public init(maxTableSize: Int = 4096, huffman: HuffmanPolicy = .whenShorter) {
        table = HPACKDynamicTable(capacity: maxTableSize)
        self.huffman = huffman
    }

    /// Uses a new maximum table size, at most the peer's
    /// SETTINGS_HEADER_TABLE_SIZE and this encoder's capacity; the next
    /// block tells the decoder.
    public mutating func setMaxTableSize(_ size: Int) {
        let size = Swift.min(size, table.capacity)
        table.setMaxSize(size)
        smallestPending = Swift.min(smallestPending ?? size, size)
        updatePending = true
    }

    /// Starts a header block: emits the owed size updates.
    public mutating func beginBlock(into out: inout [UInt8]) {
        guard updatePending else { return }
        if let smallest = smallestPending, smallest < table.maxSize {
            HPACKInteger.encode(smallest, prefixBits: 5, flags: 0x20, into: &out)
        }
        HPACKInteger.encode(table.maxSize, prefixBits: 5, flags: 0x20, into: &out)
        smallestPending = nil
        updatePending = false
    }

    /// Appends one field's representation. `indexing` is `.incremental`
    /// (add to the table), `.withoutIndexing` or `.neverIndexed` (for
    /// values that must stay out of every table, like credentials);
    /// `.indexed` is treated as `.incremental`.
    public mutating func encode(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                indexing: HPACKIndexing = .incremental, into out: inout [UInt8]) {
        let found = HPACKStaticTable.find(name: name, value: value)
        var nameIndex = found.name
        if indexing != .neverIndexed {
            if let full = found.full {
                HPACKInteger.encode(full, prefixBits: 7, flags: 0x80, into: &out)
                return
            }
            for i in stride(from: 1, through: table.count, by: 1) {
                let m = table.matches(i, name: name, value: value)
                if m.full {
                    HPACKInteger.encode(HPACKStaticTable.count + i, prefixBits: 7, flags: 0x80, into: &out)
                    return
                }
                if m.name && nameIndex == nil { nameIndex = HPACKStaticTable.count + i }
            }
        } else if nameIndex == nil {
            for i in stride(from: 1, through: table.count, by: 1) where table.matches(i, name: name, value: value).name {
                nameIndex = HPACKStaticTable.count + i
                break
            }
        }
        switch indexing {
        case .incremental, .indexed:
            HPACKInteger.encode(nameIndex ?? 0, prefixBits: 6, flags: 0x40, into: &out)
        case .withoutIndexing:
            HPACKInteger.encode(nameIndex ?? 0, prefixBits: 4, flags: 0x00, into: &out)
        case .neverIndexed:
            HPACKInteger.encode(nameIndex ?? 0, prefixBits: 4, flags: 0x10, into: &out)
        }
        if nameIndex == nil { writeString(name, into: &out) }
        writeString(value, into: &out)
        if indexing == .incremental || indexing == .indexed { table.add(name: name, value: value) }
    }

    /// Encodes a field held in any byte collections (strings' UTF-8, arrays).
    public mutating func encode<Name: Collection, Value: Collection>(name: Name, value: Value, indexing: HPACKIndexing = .incremental,
                                                                     into out: inout [UInt8])
    where Name.Element == UInt8, Value.Element == UInt8 {
        name.withContiguousBytes { n in
            value.withContiguousBytes { v in
                encode(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v), indexing: indexing, into: &out)
            }
        }
    }

    /// A string literal (§5.2), Huffman-coded as the policy says.
    private func writeString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var coded: Int?
        if huffman != .never {
            let length = HPACKHuffman.encodedLength(bytes)
            if huffman == .always || length < bytes.count { coded = length }
        }
        if let coded {
            HPACKInteger.encode(coded, prefixBits: 7, flags: 0x80, into: &out)
            HPACKHuffman.encode(bytes, into: &out)
        } else {
            HPACKInteger.encode(bytes.count, prefixBits: 7, flags: 0x00, into: &out)
            out.append(contentsOf: bytes)
        }
    }
}
