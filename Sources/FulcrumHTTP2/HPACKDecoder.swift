import FulcrumBytes

/// Decodes header blocks (RFC 7541 §3, §6) into a caller-owned
/// `HPACKHeaderList`, keeping the dynamic table the peer's encoder
/// mirrors. One decoder per connection direction; blocks must be decoded
/// in the order they arrive, since each may change the table.
public struct HPACKDecoder: Sendable {
    /// The dynamic table as the last block left it.
    public private(set) var table: HPACKDynamicTable
    /// The SETTINGS_HEADER_TABLE_SIZE this end advertised: the encoder's
    /// size updates may not exceed it (§6.3).
    public var headerTableSizeLimit: Int { table.capacity }
    /// The largest decoded list accepted (names + values + 32 a field).
    public var maxHeaderListSize: Int
    /// The limit was lowered below the table's maximum: the next block
    /// must start with a size update that honours it (§4.2).
    private var sizeUpdateRequired = false

    public init(headerTableSizeLimit: Int = 4096, maxHeaderListSize: Int = 65536) {
        table = HPACKDynamicTable(capacity: headerTableSizeLimit)
        self.maxHeaderListSize = maxHeaderListSize
    }

    /// Applies a new SETTINGS_HEADER_TABLE_SIZE once the peer has
    /// acknowledged it. A lower limit than the table's current maximum
    /// must be acknowledged by a size update at the next block's start.
    public mutating func setHeaderTableSizeLimit(_ limit: Int) {
        if limit < table.maxSize { sizeUpdateRequired = true }
        table = table.resized(capacity: limit)
    }

    /// Decodes one complete header block (the HEADERS or PUSH_PROMISE
    /// fragment and its CONTINUATIONs, joined) into `list`, emptied first.
    public mutating func decode(_ block: UnsafeRawBufferPointer, into list: inout HPACKHeaderList) throws(HPACKDecodingError) {
        list.removeAll()
        var i = 0, listSize = 0, fieldSeen = false
        while i < block.count {
            let b = block[i]
            if b & 0xE0 == 0x20 {
                // Dynamic table size update (§6.3).
                guard !fieldSeen else { throw .sizeUpdateNotAtStart }
                let size = try HPACKInteger.decode(block, at: &i, prefixBits: 5)
                guard size <= table.capacity else { throw .sizeUpdateAboveLimit(size) }
                table.setMaxSize(size)
                sizeUpdateRequired = false
                continue
            }
            guard !sizeUpdateRequired else { throw .sizeUpdateMissing }
            fieldSeen = true
            let nameStart = list.bytes.count
            let indexing: HPACKIndexing
            if b & 0x80 != 0 {
                // Indexed field (§6.1).
                let index = try HPACKInteger.decode(block, at: &i, prefixBits: 7)
                try appendEntry(index, name: true, to: &list.bytes)
                let valueStart = list.bytes.count
                try appendEntry(index, name: false, to: &list.bytes)
                list.fields.append(HPACKField(name: nameStart..<valueStart, value: valueStart..<list.bytes.count, indexing: .indexed))
                listSize += list.bytes.count - nameStart + HPACKDynamicTable.entryOverhead
                guard listSize <= maxHeaderListSize else { throw .headerListTooLarge }
                continue
            }
            // Literal field (§6.2): the name indexed or literal, the value literal.
            let prefixBits: Int
            switch b & 0xF0 {
            case 0x40...0x70: (indexing, prefixBits) = (.incremental, 6)
            case 0x10: (indexing, prefixBits) = (.neverIndexed, 4)
            default: (indexing, prefixBits) = (.withoutIndexing, 4)
            }
            let nameIndex = try HPACKInteger.decode(block, at: &i, prefixBits: prefixBits)
            if nameIndex == 0 {
                try readString(block, at: &i, into: &list.bytes, budget: maxHeaderListSize - listSize)
            } else {
                try appendEntry(nameIndex, name: true, to: &list.bytes)
            }
            let valueStart = list.bytes.count
            try readString(block, at: &i, into: &list.bytes, budget: maxHeaderListSize - listSize - (valueStart - nameStart))
            let field = HPACKField(name: nameStart..<valueStart, value: valueStart..<list.bytes.count, indexing: indexing)
            list.fields.append(field)
            listSize += list.bytes.count - nameStart + HPACKDynamicTable.entryOverhead
            guard listSize <= maxHeaderListSize else { throw .headerListTooLarge }
            if indexing == .incremental {
                // From the list's copy: the name may come from an entry this evicts (§4.4).
                let bytes = list.bytes
                bytes.withUnsafeBytes { all in
                    table.add(name: UnsafeRawBufferPointer(rebasing: all[field.name]),
                              value: UnsafeRawBufferPointer(rebasing: all[field.value]))
                }
            }
        }
        guard !sizeUpdateRequired else { throw .sizeUpdateMissing }
    }

    /// Decodes a block held in any contiguous byte collection.
    public mutating func decode<Bytes: Collection>(_ block: Bytes, into list: inout HPACKHeaderList) throws(HPACKDecodingError)
    where Bytes.Element == UInt8 {
        let result: Result<Void, HPACKDecodingError> = block.withContiguousBytes { raw in
            do throws(HPACKDecodingError) {
                try decode(UnsafeRawBufferPointer(raw), into: &list)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Appends the name or value of table entry `index`: the static table
    /// for 1...61, the dynamic table after it (§2.3.3).
    private func appendEntry(_ index: Int, name: Bool, to out: inout [UInt8]) throws(HPACKDecodingError) {
        guard index != 0 else { throw .indexZero }
        if index <= HPACKStaticTable.count {
            let r = HPACKStaticTable.ranges[index - 1]
            out.append(contentsOf: HPACKStaticTable.bytes[name ? r.name : r.value])
            return
        }
        let dynamic = index - HPACKStaticTable.count
        guard dynamic <= table.count else { throw .indexOutOfRange(index) }
        if name { table.appendName(dynamic, to: &out) } else { table.appendValue(dynamic, to: &out) }
    }

    /// Appends a string literal (§5.2), Huffman-decoded when flagged. A
    /// length beyond the list budget fails before anything is copied.
    private func readString(_ block: UnsafeRawBufferPointer, at i: inout Int, into out: inout [UInt8], budget: Int) throws(HPACKDecodingError) {
        guard i < block.count else { throw .truncated }
        let huffman = block[i] & 0x80 != 0
        let length = try HPACKInteger.decode(block, at: &i, prefixBits: 7)
        guard length <= block.count - i else { throw .truncated }
        let raw = UnsafeRawBufferPointer(rebasing: block[i..<(i + length)])
        i += length
        // A Huffman string decodes to at least its encoded length, so this
        // bounds both forms before any copy; the caller checks the result.
        guard length <= budget else { throw .headerListTooLarge }
        if huffman {
            try HPACKHuffman.decode(raw, into: &out)
        } else {
            out.append(contentsOf: raw)
        }
    }
}
