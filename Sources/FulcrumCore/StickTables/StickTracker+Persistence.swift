import FulcrumConfig

/// `stick` persistence on a stream's tracker: the server a key names, and
/// the keys waiting (at most eight, as HAProxy's s->store) for the server
/// the request goes to. The keys' bytes sit in one buffer made once.
extension StickTracker {
    /// HAProxy's limit of pending stores per stream.
    static let maxPendingStores = 8

    /// The backend's server (index) the entry of `key` in table `t` names:
    /// by `server_key` (its name) first, then by `server_id`, as HAProxy 2.6.
    func lookupServer(table t: Int, key: Sample, ids: [Int], keys: [[UInt8]]) -> Int? {
        let type = tables.definitions[t].keyType
        let buffer = tables.keyBuffer
        guard StickKey.encode(key, type, into: buffer) else { return nil }
        let now = tables.clock()
        return tables.withTable(t) { st -> Int? in
            guard let i = st.find(UnsafeRawBufferPointer(rebasing: buffer[..<type.keySize]), now: now) else { return nil }
            st.touch(i, now: now)
            if let p = st.data(i, .serverKey) {
                let n = Int(p.load(as: UInt8.self))
                if n > 0 {
                    let stored = UnsafeRawBufferPointer(start: p + 1, count: n)
                    for (s, k) in keys.enumerated() where k.count == n && k.elementsEqual(stored) { return s }
                }
            }
            guard let id = st.value(i, .serverID, now: now), id > 0 else { return nil }
            return ids.firstIndex(of: Int(id))
        }
    }

    /// Keeps `key` (as table `t`'s key) to record the server later.
    func addPendingStore(table t: Int, key: Sample) {
        guard pendingCount < Self.maxPendingStores else { return }
        let type = tables.definitions[t].keyType
        let slot = UnsafeMutableRawBufferPointer(rebasing: pendingKeys[(pendingCount * pendingKeySize)...].prefix(pendingKeySize))
        guard StickKey.encode(key, type, into: slot) else { return }
        pendingTables[pendingCount] = t
        pendingCount += 1
    }

    public func clearPendingStores() { pendingCount = 0 }

    /// Records the server in every pending key's entry (made when missing).
    func storePending(serverID: Int, serverKey: [UInt8]) {
        let now = tables.clock()
        for n in 0..<pendingCount {
            let t = pendingTables[n]
            let size = tables.definitions[t].keyType.keySize
            let key = UnsafeRawBufferPointer(rebasing: pendingKeys[(n * pendingKeySize)...].prefix(size))
            tables.withTable(t) { st in
                guard let i = st.findOrCreate(key, now: now) else { return }
                st.set(i, .serverID, Int64(serverID), now: now)
                if let p = st.data(i, .serverKey) {
                    p.storeBytes(of: UInt8(serverKey.count), as: UInt8.self)
                    serverKey.withUnsafeBytes { (p + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                }
                st.touch(i, now: now)
            }
        }
        pendingCount = 0
    }
}
