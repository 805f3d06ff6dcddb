import FulcrumConfig

/// Where each part of a stick table entry sits in shared memory: a 32-byte
/// header (hash chain, LRU links, stamp, expiry, reference count, the
/// update id and origin the peers protocol pushes by), the key, then every
/// stored data type in HAProxy's order. An `ip` table storing
/// `http_req_rate(10s),conn_cur` takes 56 bytes an entry.
public struct StickEntryLayout: Sendable, Equatable {
    enum Header: Int { case chain = 0, lruPrevious = 4, lruNext = 8, stamp = 12, expire = 16, references = 20, update = 24, origin = 28 }
    static let headerBytes = 32
    /// `server_key` holds a server's name (or address) inline, this long at most.
    public static let serverKeyBytes = 64

    public let keyType: StickKeyType
    public let keyOffset: Int
    public let keySize: Int
    /// Bytes of one entry (a multiple of 8).
    public let entrySize: Int
    /// Offset of each data type (by raw value); -1: not stored.
    let offsets: [Int]
    /// Period (ms) of each rate type, element count of each array type.
    let periods: [UInt32]
    let counts: [Int]

    public init(_ table: StickTableDefinition) {
        keyType = table.keyType
        keySize = table.keyType.keySize
        keyOffset = Self.headerBytes
        var offset = (keyOffset + keySize + 7) & ~7
        var offsets = [Int](repeating: -1, count: StickDataType.allCases.count)
        var periods = [UInt32](repeating: 0, count: StickDataType.allCases.count)
        var counts = [Int](repeating: 0, count: StickDataType.allCases.count)
        // Eight-byte counters first keeps them aligned without padding the rest.
        let ordered = table.data.filter { $0.type.storage == .unsigned64 } + table.data.filter { $0.type.storage != .unsigned64 }
        for d in ordered {
            offsets[d.type.rawValue] = offset
            periods[d.type.rawValue] = UInt32(d.period)
            counts[d.type.rawValue] = d.count
            offset += Self.bytes(d.type.storage) * d.count
        }
        self.offsets = offsets
        self.periods = periods
        self.counts = counts
        entrySize = (offset + 7) & ~7
    }

    static func bytes(_ s: StickDataType.Storage) -> Int {
        switch s {
        case .signed, .unsigned: return 4
        case .unsigned64: return 8
        case .frequency: return StickFrequency.size
        case .dictionary: return serverKeyBytes
        }
    }

    /// The offset of element `element` of `type` in an entry; nil when the
    /// table does not store it (or has fewer elements).

    public func offset(_ type: StickDataType, element: Int = 0) -> Int? {
        let o = offsets[type.rawValue]
        guard o >= 0, element >= 0, element < counts[type.rawValue] else { return nil }
        return o + element * Self.bytes(type.storage)
    }

    public func stores(_ type: StickDataType) -> Bool { offsets[type.rawValue] >= 0 }
    public func period(_ type: StickDataType) -> UInt32 { periods[type.rawValue] }
    public func count(_ type: StickDataType) -> Int { counts[type.rawValue] }
}
