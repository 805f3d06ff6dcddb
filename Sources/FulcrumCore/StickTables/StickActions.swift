import FulcrumConfig

/// A stick counter action compiled once: its key or value expression
/// resolved, its table named (the rule's proxy's when it names none).
public struct CompiledStickAction: Sendable {
    enum Kind: Sendable {
        case track(counter: Int, key: CompiledSampleExpression, table: String)
        case incrementGPC(counter: Int, index: Int, legacy: Bool)
        case setGPT(counter: Int, index: Int, legacy: Bool, value: CompiledSampleExpression)
    }
    let kind: Kind
    /// Tracked by the session's rules (`tcp-request connection`), not a request's.
    let session: Bool

    public init(_ a: StickCounterAction, proxy: String, session: Bool = false) throws {
        self.session = session
        switch a {
        case .track(let c, let key, let table): kind = .track(counter: c, key: try CompiledSampleExpression(key), table: table ?? proxy)
        case .incrementGPC(let c, let i, let legacy): kind = .incrementGPC(counter: c, index: i, legacy: legacy)
        case .setGPT(let c, let i, let legacy, let v): kind = .setGPT(counter: c, index: i, legacy: legacy, value: try CompiledSampleExpression(v))
        }
    }

    /// Carries the action out on the stream's counters.
    public func run(context: HTTPRuleContext, acls: ACLSet?) {
        guard let tracker = context.stick else { return }
        switch kind {
        case .track(let counter, let key, let tableName):
            guard tracker.trackedTable(counter) == nil || !session else { return }
            guard let t = tracker.tables.index(named: tableName) else { return }
            let session = session, httpRequest = !session && context.payload == nil  // not the context: a capture copies it
            key.evaluate(context: context, acls: acls) { sample in
                tracker.track(counter, session: session, table: t, key: sample, httpRequest: httpRequest)
            }
        case .incrementGPC(let counter, let index, let legacy):
            _ = tracker.withEntry(counter) { t, i, now in StickFetching.increment(t, i, legacy ? (index == 0 ? .gpc0 : .gpc1) : .gpc, element: legacy ? 0 : index, now: now) }
        case .setGPT(let counter, let index, let legacy, let value):
            var v: Int64? = nil
            value.evaluate(context: context, acls: acls) { v = $0.integer }
            guard let v else { return }
            _ = tracker.withEntry(counter) { t, i, now in
                if legacy, t.layout.stores(.gpt0) { t.set(i, .gpt0, v, now: now) } else { t.set(i, .gpt, element: index, v, now: now) }
                t.touchIfStored(i, .gpt0, .gpt, now: now)
            }
        }
    }
}

/// The stick counter fetches' values (sc_*, scN_*, src_*).
enum StickFetching {
    static func value(_ f: StickFetch, context: HTTPRuleContext) -> Sample? {
        guard let tracker = context.stick else { return nil }
        switch f.source {
        case .table:
            guard let t = tracker.tables.index(named: f.table ?? context.stickProxy) else { return nil }
            let size = tracker.tables.definitions[t].size
            let used = tracker.tables.withTable(t) { st -> Int in
                st.purgeExpired(now: tracker.tables.clock())
                return st.used
            }
            return .integer(Int64(f.value == .entries ? used : size - used))
        case .counter(let n):
            if case .tracked = f.value { return .bool(tracker.trackedTable(n) != nil) }
            if let name = f.table, let other = tracker.tables.index(named: name), other != tracker.trackedTable(n) {
                // The tracked key, looked up in another table.
                guard let key: [UInt8] = tracker.withEntry(n, { t, i, _ in Array(t.key(i)) }) else { return nil }
                return lookup(tracker.tables, other, key: key, f.value, create: false)
            }
            return tracker.withEntry(n) { t, i, now in read(t, i, f.value, now: now) } ?? nil
        case .clientAddress:
            guard let t = tracker.tables.index(named: f.table ?? context.stickProxy) else { return nil }
            let type = tracker.tables.definitions[t].keyType
            let buffer = tracker.tables.keyBuffer
            guard StickKey.encode(.address(context.connection.source.address), type, into: buffer) else { return nil }
            let key = UnsafeRawBufferPointer(rebasing: buffer[..<type.keySize])
            var create = false
            if case .increment = f.value { create = true }
            return tracker.tables.withTable(t) { st in
                let now = tracker.tables.clock()
                guard let i = create ? st.findOrCreate(key, now: now) : st.find(key, now: now) else {
                    if case .data = f.value { return .integer(0) }
                    return .integer(0)
                }
                return read(st, i, f.value, now: now)
            }
        }
    }

    /// A table converter: `key` cast to table `name`'s key type and looked
    /// up; `read` nil (`in_table`) answers whether it is there, else the
    /// entry's value (0 for a key not there, nil when the table does not
    /// store it, as HAProxy's sample_conv_table_*).
    static func lookup(_ key: Sample, in name: String, reading read: StickFetch.Value?, tables: StickTableSet) -> Sample? {
        guard let t = tables.index(named: name) else { return nil }
        let type = tables.definitions[t].keyType
        let buffer = tables.keyBuffer
        guard StickKey.encode(key, type, into: buffer) else { return nil }
        let k = UnsafeRawBufferPointer(rebasing: buffer[..<type.keySize])
        return tables.withTable(t) { st -> Sample? in
            let now = tables.clock()
            let i = st.find(k, now: now)
            guard let read else { return .bool(i != nil) }
            guard let i else { return .integer(0) }
            // HAProxy reads ref_cnt while its own lookup holds the entry: one more.
            if case .trackers = read { return .integer(Int64(st.references(i)) + 1) }
            return StickFetching.read(st, i, read, now: now)
        }
    }

    private static func lookup(_ tables: StickTableSet, _ t: Int, key: [UInt8], _ value: StickFetch.Value, create: Bool) -> Sample? {
        key.withUnsafeBytes { k in
            tables.withTable(t) { st in
                let now = tables.clock()
                guard let i = st.find(k, now: now) else { return .integer(0) }
                return read(st, i, value, now: now)
            }
        }
    }

    static func read(_ t: SharedStickTable, _ i: Int, _ value: StickFetch.Value, now: UInt32) -> Sample? {
        switch value {
        case .tracked: return .bool(true)
        case .trackers: return .integer(Int64(t.references(i)))
        case .entries, .available: return nil
        case .data(let type, let element, let kbytes):
            guard let v = valueOf(t, i, type, element, now: now) else { return nil }
            return .integer(kbytes ? v >> 10 : v)
        case .increment(let type, let element):
            guard let v = increment(t, i, type, element: element, now: now) else { return nil }
            return .integer(v)
        case .clear(let type, let element):
            guard let (ty, el) = resolve(t, type, element) else { return nil }
            let v = t.value(i, ty, element: el, now: now)
            t.set(i, ty, element: el, 0, now: now)
            t.touch(i, now: now)
            return v.map { .integer($0) }
        }
    }

    /// The stored type standing for `type` (gpc0 is gpc[0] in a table storing gpc(N)).
    static func resolve(_ t: SharedStickTable, _ type: StickDataType, _ element: Int) -> (StickDataType, Int)? {
        if t.layout.stores(type) { return (type, element) }
        if let (array, el) = StickFetch.legacy(type), t.layout.stores(array) { return (array, el) }
        return nil
    }

    static func valueOf(_ t: SharedStickTable, _ i: Int, _ type: StickDataType, _ element: Int, now: UInt32) -> Int64? {
        guard let (ty, el) = resolve(t, type, element) else { return nil }
        return t.value(i, ty, element: el, now: now)
    }

    /// `sc-inc-gpc*`, `*_inc_gpc*`: the counter and its rate count one;
    /// returns the counter's new value.
    @discardableResult
    static func increment(_ t: SharedStickTable, _ i: Int, _ type: StickDataType, element: Int, now: UInt32) -> Int64? {
        let rate: StickDataType = type == .gpc0 ? .gpc0Rate : type == .gpc1 ? .gpc1Rate : .gpcRate
        let counter = resolve(t, type, element)
        let rated = resolve(t, rate, element)
        if let (rt, re) = rated { t.add(i, rt, element: re, now: now) }
        guard let (ty, el) = counter else {
            if rated != nil { t.touch(i, now: now) }
            return rated == nil ? nil : 0
        }
        t.add(i, ty, element: el, now: now)
        t.touch(i, now: now)
        return t.value(i, ty, element: el, now: now)
    }
}
