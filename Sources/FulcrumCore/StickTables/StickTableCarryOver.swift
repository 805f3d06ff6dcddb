import FulcrumConfig

/// A reload whose table changed shape (its size, its stored data) gets a
/// new region: the entries of the previous one are copied into it, the
/// data types both store carried as they are, each entry keeping what is
/// left of its life. HAProxy's new process learns its tables from the old
/// one over the peers protocol (the local peer); here both are mapped in
/// the master, so the copy is direct. Callers hold both tables' locks.
public enum StickTableCarryOver {
    /// Whether entries of `old` can go into `new` (the same key).
    public static func compatible(_ old: StickTableDefinition, _ new: StickTableDefinition) -> Bool {
        old.keyType == new.keyType
    }

    /// Copies every live entry of `from` into `to`; returns how many.
    @discardableResult
    public static func copy(from: SharedStickTable, to: SharedStickTable, now: UInt32) -> Int {
        var copied = 0
        from.forEach(now: now) { i in
            guard let j = to.findOrCreate(from.key(i), now: now) else { return }
            for t in StickDataType.allCases where from.layout.stores(t) && to.layout.stores(t) {
                if t == .serverKey {
                    if let k = from.serverKey(i) { to.setServerKey(j, k) }
                    continue
                }
                let bytes = StickEntryLayout.bytes(t.storage)
                for e in 0..<min(from.layout.count(t), to.layout.count(t)) {
                    guard let src = from.data(i, t, element: e), let dst = to.data(j, t, element: e) else { continue }
                    dst.copyMemory(from: src, byteCount: bytes)
                }
            }
            let left = from.remaining(i, now: now)
            to.touchRemote(j, now: now, expireIn: left > 0 ? UInt32(left) : nil)
            copied += 1
        }
        return copied
    }
}
