import FulcrumBytes
import FulcrumConfig
import Synchronization

/// Variable names resolved to slot numbers when rules are compiled, so
/// that per request a variable is an array index, never a name lookup. One
/// numbering for the process: a `txn` variable set by a frontend's rule is
/// the same slot when its backend reads it.
public final class VariableNames: Sendable {
    public static let shared = VariableNames()
    private let table = Mutex<[String: Int]>([:])

    /// The slot of `name` (numbered on first sight; names are per scope
    /// store, so `txn.x` and `sess.x` share a number but not a store).
    public func slot(_ name: String) -> Int {
        table.withLock { t in
            if let i = t[name] { return i }
            let i = t.count
            t[name] = i
            return i
        }
    }
}

/// A variable as a compiled rule refers to it.
public struct VariableRef: Sendable, Equatable, Hashable {
    public let scope: VariableScope
    public let slot: Int
    /// `set-var(NAME,COND...)`: when a value may be stored.
    public let conditions: SetVariableConditions
    public init(_ name: VariableName) {
        scope = name.scope; slot = VariableNames.shared.slot(name.name); conditions = name.conditions
    }
}

/// One scope's values. A variable's bytes keep their array between sets,
/// so setting a string variable again reuses its storage.
public final class VariableStore: @unchecked Sendable {
    // @unchecked: a store belongs to one stream (or, `proc`, to one worker's
    // single-threaded loop) and is only touched from there.
    struct Slot {
        enum Kind: UInt8 { case unset, bool, integer, address, bytes }
        var kind = Kind.unset
        var integer: Int64 = 0
        var address: IPAddress? = nil
        var bytes: [UInt8] = []
    }
    var slots: [Slot] = []

    public init() {}

    /// `proc`: one store per process, as HAProxy keeps one per process.
    public static let process = VariableStore()

    public func get(_ slot: Int) -> Sample? {
        guard slot < slots.count else { return nil }
        let s = slots[slot]
        switch s.kind {
        case .unset: return nil
        case .bool: return .bool(s.integer != 0)
        case .integer: return .integer(s.integer)
        case .address: return s.address.map { .address($0) }
        case .bytes: return .bytes(s.bytes[...])
        }
    }

    public func isSet(_ slot: Int) -> Bool { slot < slots.count && slots[slot].kind != .unset }

    private func grow(_ slot: Int) {
        if slot >= slots.count { slots.append(contentsOf: repeatElement(Slot(), count: slot + 1 - slots.count)) }
    }

    public func set(_ slot: Int, _ sample: Sample) {
        grow(slot)
        switch sample {
        case .bool(let b): slots[slot].kind = .bool; slots[slot].integer = b ? 1 : 0
        case .integer(let i): slots[slot].kind = .integer; slots[slot].integer = i
        case .address(let a): slots[slot].kind = .address; slots[slot].address = a
        case .bytes(let b): setBytes(slot, b)
        }
    }

    public func setBytes<C: Collection>(_ slot: Int, _ bytes: C) where C.Element == UInt8 {
        grow(slot)
        slots[slot].kind = .bytes
        slots[slot].bytes.removeAll(keepingCapacity: true)
        slots[slot].bytes.append(contentsOf: bytes)
    }

    public func unset(_ slot: Int) {
        guard slot < slots.count else { return }
        slots[slot].kind = .unset
    }

    /// Forgets every value, keeping the storage for the next occupant.
    public func clear() {
        for i in slots.indices { slots[i].kind = .unset }
    }
}

/// The stores a stream's rules see: its session's, its transaction's, the
/// request/response ones and the process's. HAProxy keeps `req` and `res`
/// in one list for the transaction; Fulcrum gives each its own store, `req`
/// forgotten when the response is analysed and `res` with the transaction,
/// which is what HAProxy's rules can observe.
public final class RuleVariables: @unchecked Sendable {
    public let process: VariableStore
    public let session = VariableStore()
    public let transaction = VariableStore()
    public let request = VariableStore()
    public let response = VariableStore()
    /// A reused buffer for a converter chain whose result is stored.
    var scratch: [UInt8] = []

    public init(process: VariableStore = .process) { self.process = process }

    @inline(__always)
    public func store(_ scope: VariableScope) -> VariableStore {
        switch scope {
        case .proc: return process
        case .sess: return session
        case .txn: return transaction
        case .req: return request
        case .res: return response
        }
    }

    public func get(_ ref: VariableRef) -> Sample? { store(ref.scope).get(ref.slot) }

    /// Stores `sample` when the reference's conditions allow it.
    public func set(_ ref: VariableRef, _ sample: Sample) {
        let store = store(ref.scope)
        guard ref.conditions.isEmpty || RuleVariables.allows(ref.conditions, current: store.get(ref.slot), new: sample) else { return }
        store.set(ref.slot, sample)
    }

    /// HAProxy 2.6's set-var conditions, as haproxy 2.6.12 behaves: a
    /// variable unset with `unset-var` no longer exists; only bytes can be
    /// empty; `ifgt`/`iflt` compare integers and let any other value through.
    static func allows(_ c: SetVariableConditions, current: Sample?, new: Sample) -> Bool {
        if c.contains(.ifExists) || c.contains(.ifSet), current == nil { return false }
        if c.contains(.ifNotExists) || c.contains(.ifNotSet), current != nil { return false }
        var empty = current == nil
        if case .bytes(let b)? = current { empty = b.isEmpty }
        if c.contains(.ifEmpty), !empty { return false }
        if c.contains(.ifNotEmpty), empty { return false }
        if case .integer(let old)? = current, case .integer(let value) = new {
            if c.contains(.ifGreater), !(old > value) { return false }
            if c.contains(.ifLess), !(old < value) { return false }
        }
        return true
    }
    public func unset(_ ref: VariableRef) { store(ref.scope).unset(ref.slot) }

    /// A new HTTP transaction on the same connection.
    public func endTransaction() {
        transaction.clear(); request.clear(); response.clear()
    }

    /// The connection ended: the object is reused for the next one.
    public func endSession() {
        session.clear(); endTransaction()
    }

    /// Calls `body` with the scratch buffer (emptied), taken out of the
    /// object so the chain may read variables meanwhile.
    func withScratch<R>(_ body: (inout [UInt8]) -> R) -> R {
        var buf = scratch
        scratch = []
        buf.removeAll(keepingCapacity: true)
        defer { scratch = buf }
        return body(&buf)
    }
}
