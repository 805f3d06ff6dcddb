import FulcrumConfig

/// What a peer said about one of its tables (a DEFINE message): the id
/// its updates are sent under, its key, the data types its updates carry
/// (HAProxy's STKTABLE_DT_* bits, the same numbers as `StickDataType`) and
/// the element count of each array type.
public struct PeerRemoteTable: Equatable, Sendable {
    public var id: Int
    public var name: String
    public var keyTypeCode: Int
    public var keySize: Int
    public var data: UInt64
    public var expire: Int
    public var counts: [Int]

    public init(id: Int, name: String, keyTypeCode: Int, keySize: Int, data: UInt64, expire: Int, counts: [Int]) {
        self.id = id; self.name = name; self.keyTypeCode = keyTypeCode; self.keySize = keySize
        self.data = data; self.expire = expire; self.counts = counts
    }
}

/// The stick-table messages' payloads: DEFINE from a table definition,
/// updates from an entry and back into one (peer_prepare_switchmsg,
/// peer_prepare_updatemsg, peer_treat_definemsg, peer_treat_updatemsg).
public enum PeerTableCodec {
    /// The protocol's key type numbers (PEER_KT_*).
    public static func keyTypeCode(_ t: StickKeyType) -> Int {
        switch t {
        case .integer: return 2
        case .ip: return 4
        case .ipv6: return 5
        case .string: return 6
        case .binary: return 7
        }
    }

    /// Bit of each data type the table stores.
    public static func dataBits(_ d: StickTableDefinition) -> UInt64 {
        d.data.reduce(0) { $0 | 1 << UInt64($1.type.rawValue) }
    }

    /// DEFINE for table `d`, known to the peer as `localID`.
    public static func define(_ d: StickTableDefinition, localID: Int, into out: inout [UInt8]) {
        PeerMessage.table(.define, into: &out) { p in
            PeerVarint.encode(UInt64(localID), into: &p)
            let name = Array(d.wireName.utf8)
            PeerVarint.encode(UInt64(name.count), into: &p)
            p += name
            PeerVarint.encode(UInt64(keyTypeCode(d.keyType)), into: &p)
            PeerVarint.encode(UInt64(d.keyType.keySize), into: &p)
            PeerVarint.encode(dataBits(d), into: &p)
            PeerVarint.encode(UInt64(d.expire ?? 0), into: &p)
            for s in d.data.sorted(by: { $0.type < $1.type }) {
                if s.type.isArray {
                    PeerVarint.encode(UInt64(s.type.rawValue), into: &p)
                    PeerVarint.encode(UInt64(s.count), into: &p)
                    if s.type.storage == .frequency { PeerVarint.encode(UInt64(s.period), into: &p) }
                } else if s.type.storage == .frequency {
                    PeerVarint.encode(UInt64(s.type.rawValue), into: &p)
                    PeerVarint.encode(UInt64(s.period), into: &p)
                }
            }
        }
    }

    public enum DefinitionResult: Equatable {
        case table(PeerRemoteTable)
        /// Well formed but unusable (unknown data types, missing array sizes).
        case ignored(id: Int)
        case malformed
    }

    /// A DEFINE payload.
    public static func decodeDefinition(_ r: inout PeerReader) -> DefinitionResult {
        guard let id = r.count(), let nameLength = r.count(), nameLength > 0, nameLength < r.remaining,
              let nameBytes = r.take(nameLength) else { return .malformed }
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard !r.atEnd, let type = r.count(), let keySize = r.count(), let data = r.varint() else { return .malformed }
        var counts = [Int](repeating: 1, count: StickDataType.allCases.count)
        let known = UInt64(1) << UInt64(StickDataType.allCases.count) - 1
        guard data & ~known == 0 else { return .ignored(id: id) }
        var expire = 0
        if let e = r.varint() {
            expire = Int(truncatingIfNeeded: e)
            for t in StickDataType.allCases where data & (1 << UInt64(t.rawValue)) != 0 {
                guard t.isArray || t.storage == .frequency else { continue }
                guard let prefix = r.varint(), prefix == UInt64(t.rawValue) else { return .ignored(id: id) }
                if t.isArray {
                    guard let n = r.count(), n <= 100 else { return .ignored(id: id) }
                    counts[t.rawValue] = n
                }
                if t.storage == .frequency { guard r.varint() != nil else { return .ignored(id: id) } }
            }
        } else if StickDataType.allCases.contains(where: { $0.isArray && data & (1 << UInt64($0.rawValue)) != 0 }) {
            return .ignored(id: id)
        }
        return .table(PeerRemoteTable(id: id, name: name, keyTypeCode: type, keySize: keySize, data: data,
                                      expire: expire, counts: counts))
    }

    /// Whether a remote table can feed local table `d` (HAProxy: same key
    /// type and size; the names were matched already).
    public static func matches(_ r: PeerRemoteTable, _ d: StickTableDefinition) -> Bool {
        r.keyTypeCode == keyTypeCode(d.keyType) && r.keySize == d.keyType.keySize
    }

    // MARK: updates

    /// The update message for entry `i` of `st` (caller holds its lock):
    /// with its update id, and timed (its remaining lifetime) when the
    /// table expires entries. `dictionaryID` gives a `server_key` text
    /// its id in the session's cache (1...128) and whether the peer knows
    /// it already: then only the id is sent (HAProxy's dcache).
    public static func update(_ st: SharedStickTable, _ i: Int, _ d: StickTableDefinition, updateID: UInt32, now: UInt32,
                              dictionaryID: (String) -> (id: Int, known: Bool), into out: inout [UInt8]) {
        let timed = (d.expire ?? 0) > 0
        PeerMessage.table(timed ? .timedUpdate : .update, into: &out) { p in
            p.appendPeerU32(updateID)
            if timed { p.appendPeerU32(UInt32(st.remaining(i, now: now))) }
            let key = st.key(i)
            switch d.keyType {
            case .string:
                let n = key.firstIndex(of: 0) ?? key.count
                PeerVarint.encode(UInt64(n), into: &p)
                p += key[0..<n]
            case .integer:
                p.appendPeerU32(key.load(as: UInt32.self))
            default:
                p += key
            }
            for t in StickDataType.allCases where st.layout.stores(t) {
                for e in 0..<st.layout.count(t) {
                    guard let ptr = st.data(i, t, element: e) else { continue }
                    switch t.storage {
                    case .unsigned: PeerVarint.encode(UInt64(ptr.load(as: UInt32.self)), into: &p)
                    case .signed: PeerVarint.encode(UInt64(bitPattern: Int64(ptr.load(as: Int32.self))), into: &p)
                    case .unsigned64: PeerVarint.encode(ptr.load(as: UInt64.self), into: &p)
                    case .frequency:
                        PeerVarint.encode(UInt64(now &- ptr.load(as: UInt32.self)), into: &p)
                        PeerVarint.encode(UInt64(ptr.load(fromByteOffset: 4, as: UInt32.self)), into: &p)
                        PeerVarint.encode(UInt64(ptr.load(fromByteOffset: 8, as: UInt32.self)), into: &p)
                    case .dictionary:
                        guard let text = st.serverKey(i) else { PeerVarint.encode(0, into: &p); continue }
                        var inner: [UInt8] = []
                        let (id, known) = dictionaryID(text)
                        PeerVarint.encode(UInt64(id), into: &inner)
                        if !known {
                            let bytes = Array(text.utf8)
                            PeerVarint.encode(UInt64(bytes.count), into: &inner)
                            inner += bytes
                        }
                        PeerVarint.encode(UInt64(inner.count), into: &p)
                        p += inner
                    }
                }
            }
        }
    }

    /// One received update, decoded against the sender's table definition.
    public struct Update: Equatable {
        public var updateID: UInt32?
        public var expire: UInt32?
        /// The key as a local entry of the table stores it.
        public var key: [UInt8]
        public var values: [Value]
    }

    public enum Value: Equatable {
        case integer(StickDataType, element: Int, UInt64)
        case frequency(StickDataType, element: Int, ago: UInt64, current: UInt64, previous: UInt64)
        case text(StickDataType, String?)
    }

    /// Decodes an update payload of kind `kind` for `remote`, whose keys
    /// are `keyType`'s. `dictionary` is the peer's received dictionary
    /// (128 entries, ids from 1). nil: malformed.
    public static func decodeUpdate(_ r: inout PeerReader, kind: PeerMessage.TableKind, remote: PeerRemoteTable,
                                    keyType: StickKeyType, dictionary: inout [String?]) -> Update? {
        var u = Update(updateID: nil, expire: nil, key: [], values: [])
        if kind.hasID { guard let id = r.u32() else { return nil }; u.updateID = id }
        if kind.isTimed { guard let e = r.u32() else { return nil }; u.expire = e }
        var key = [UInt8](repeating: 0, count: keyType.keySize)
        switch keyType {
        case .string:
            guard let n = r.count() else { return nil }
            let stored = min(n, keyType.keySize - 1)
            guard let bytes = r.take(stored), r.skip(n - stored) else { return nil }
            for (k, b) in bytes.enumerated() { key[k] = b }
        case .integer:
            guard let v = r.u32() else { return nil }
            withUnsafeBytes(of: v) { for k in 0..<4 { key[k] = $0[k] } }
        default:
            guard let bytes = r.take(keyType.keySize) else { return nil }
            for (k, b) in bytes.enumerated() { key[k] = b }
        }
        u.key = key
        for t in StickDataType.allCases where remote.data & (1 << UInt64(t.rawValue)) != 0 {
            let n = t.isArray ? remote.counts[t.rawValue] : 1
            for e in 0..<n {
                switch t.storage {
                case .frequency:
                    guard let ago = r.varint(), let c = r.varint(), let p = r.varint() else { return nil }
                    u.values.append(.frequency(t, element: e, ago: ago, current: c, previous: p))
                case .dictionary:
                    guard let length = r.count() else { return nil }
                    if length == 0 { u.values.append(.text(t, nil)); continue }
                    guard r.remaining >= length else { return nil }
                    var inner = PeerReader(r.bytes, from: r.position, end: r.position + length)
                    _ = r.skip(length)
                    guard let id = inner.count(), id >= 1, id <= dictionary.count else { return nil }
                    if inner.atEnd {
                        u.values.append(.text(t, dictionary[id - 1]))
                    } else {
                        guard let n = inner.count(), let bytes = inner.take(n) else { return nil }
                        let text = String(decoding: bytes, as: UTF8.self)
                        dictionary[id - 1] = text
                        u.values.append(.text(t, text))
                    }
                default:
                    guard let v = r.varint() else { return nil }
                    u.values.append(.integer(t, element: e, v))
                }
            }
        }
        return u
    }

    /// Writes a decoded update into `st` (caller holds its lock): the
    /// entry is found or made, each value the table stores is set, and it
    /// is touched as learned from a peer. False when the table is full.
    @discardableResult
    public static func apply(_ u: Update, to st: SharedStickTable, now: UInt32) -> Bool {
        guard let i = u.key.withUnsafeBytes({ st.findOrCreate($0, now: now, learned: true) }) else { return false }
        for v in u.values {
            switch v {
            case .integer(let t, let e, let value):
                guard let p = st.data(i, t, element: e) else { continue }
                switch t.storage {
                case .unsigned: p.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
                case .signed: p.storeBytes(of: Int32(truncatingIfNeeded: Int64(bitPattern: value)), as: Int32.self)
                case .unsigned64: p.storeBytes(of: value, as: UInt64.self)
                default: break
                }
            case .frequency(let t, let e, let ago, let c, let prev):
                guard let p = st.data(i, t, element: e) else { continue }
                p.storeBytes(of: (now &- UInt32(truncatingIfNeeded: ago)) & ~1, as: UInt32.self)
                p.storeBytes(of: UInt32(truncatingIfNeeded: c), toByteOffset: 4, as: UInt32.self)
                p.storeBytes(of: UInt32(truncatingIfNeeded: prev), toByteOffset: 8, as: UInt32.self)
            case .text(let t, let text):
                guard t == .serverKey, let text else { continue }
                st.setServerKey(i, text)
            }
        }
        st.touchRemote(i, now: now, expireIn: u.expire)
        return true
    }
}
