import FulcrumBytes
import Synchronization

/// A server's address as the runtime API sets it: an IP and a port, 0 for
/// "the port the client connected to" (HAProxy's server without a port).
public struct TableServerAddress: Equatable, Sendable {
    public var ip: IPAddress
    public var port: Int
    public init(ip: IPAddress, port: Int) { self.ip = ip; self.port = port }
}

/// Run-time server addresses and the slots of dynamic servers. Only the
/// master writes them (the CLI is single-threaded there); workers and the
/// checker read them when the sequence they last saw moved, so a change
/// reaches every process at its next connection, with no message.
extension SharedTable {
    /// The address sequence of a server line: 0 while the configured address stands.
    @inline(__always) public func addressSequence(_ line: Int) -> UInt64 { server(line, .addressSequence).loadAcquiring() }

    /// The address set at run time, or nil while the configured one stands.
    /// A seqlock read: retried while the master is writing.
    public func serverAddress(_ line: Int) -> TableServerAddress? {
        while true {
            let before = server(line, .addressSequence).loadAcquiring()
            if before == 0 { return nil }
            if before & 1 == 1 { continue }
            let meta = server(line, .addressMeta).load()
            let high = server(line, .addressHigh).load(), low = server(line, .addressLow).load()
            atomicMemoryFence(ordering: .acquiring)
            guard server(line, .addressSequence).load() == before else { continue }
            let port = Int((meta >> 8) & 0xFFFF)
            switch meta & 0xFF {
            case 1: return TableServerAddress(ip: .v4(IPv4Address(UInt32(truncatingIfNeeded: high))), port: port)
            case 2: return TableServerAddress(ip: .v6(IPv6Address(high: high, low: low)), port: port)
            default: return nil
            }
        }
    }

    /// Writes a run-time address (master only).
    public func setServerAddress(_ line: Int, _ a: TableServerAddress) {
        let sequence = server(line, .addressSequence)
        let was = sequence.load()
        sequence.store(was | 1)
        atomicMemoryFence(ordering: .releasing)
        switch a.ip {
        case .v4(let v4):
            server(line, .addressHigh).store(UInt64(v4.value)); server(line, .addressLow).store(0)
            server(line, .addressMeta).store(1 | UInt64(a.port & 0xFFFF) << 8)
        case .v6(let v6):
            server(line, .addressHigh).store(v6.high); server(line, .addressLow).store(v6.low)
            server(line, .addressMeta).store(2 | UInt64(a.port & 0xFFFF) << 8)
        }
        sequence.storeReleasing((was | 1) + 1)
    }

    /// `set server check-port`: the port checks use now, or nil as configured.
    /// The word: the port in bits 0–15, bit 32 when one is set, and from
    /// bit 40 a count of changes (check-port or check-addr), which the
    /// checker compares to know when to re-read both.
    public func checkPortOverride(_ line: Int) -> Int? {
        let w = server(line, .checkPortOverride).load()
        return (w >> 32) & 1 == 0 ? nil : Int(w & 0xFFFF)
    }
    public func setCheckPortOverride(_ line: Int, _ port: Int?) {
        let w = server(line, .checkPortOverride).load()
        let changes = (w >> 40) &+ 1
        server(line, .checkPortOverride).storeReleasing(changes << 40 | (port.map { UInt64($0 & 0xFFFF) | 1 << 32 } ?? 0))
    }
    /// What the checker compares: changes to the check port or address.
    public func checkTargetWord(_ line: Int) -> UInt64 { server(line, .checkPortOverride).loadAcquiring() }

    /// `set server check-addr`: the address checks use now, or nil as configured.
    public func checkAddressOverride(_ line: Int) -> IPAddress? {
        let high = server(line, .checkAddressHigh).load(), low = server(line, .checkAddressLow).load()
        switch server(line, .checkAddressMeta).load() {
        case 1: return .v4(IPv4Address(UInt32(truncatingIfNeeded: high)))
        case 2: return .v6(IPv6Address(high: high, low: low))
        default: return nil
        }
    }
    /// Written before the check port (which the checker compares), so a
    /// check that sees the new port sees the new address.
    public func setCheckAddressOverride(_ line: Int, _ ip: IPAddress) {
        switch ip {
        case .v4(let a):
            server(line, .checkAddressHigh).store(UInt64(a.value)); server(line, .checkAddressLow).store(0)
            server(line, .checkAddressMeta).storeReleasing(1)
        case .v6(let a):
            server(line, .checkAddressHigh).store(a.high); server(line, .checkAddressLow).store(a.low)
            server(line, .checkAddressMeta).storeReleasing(2)
        }
    }

    /// `set server ssl on|off`: nil as configured.
    public func sslOverride(_ line: Int) -> Bool? {
        switch server(line, .sslOverride).load() {
        case 1: return true
        case 2: return false
        default: return nil
        }
    }
    public func setSSLOverride(_ line: Int, _ on: Bool) { server(line, .sslOverride).store(on ? 1 : 2) }

    /// Presence bits of a server line.
    @inline(__always) public func slot(_ line: Int) -> Slot { Slot(rawValue: server(line, .slot).loadAcquiring()) }

    /// Longest `add server` definition a slot holds (its line, less a length word).
    public static let definitionCapacity = (lineWords - 1) * 8

    /// The text of a dynamic server's definition (name, address, keywords).
    public func definition(_ line: Int) -> String {
        let w = definitionWords(line)
        let count = min(Int(w[0].load(ordering: .relaxed)), SharedTable.definitionCapacity)
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let word = w[1 + i / 8].load(ordering: .relaxed)
            bytes[i] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(i % 8)))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Stores a definition (master only, before the slot is published); false when too long.
    @discardableResult
    public func setDefinition(_ line: Int, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= SharedTable.definitionCapacity else { return false }
        let w = definitionWords(line)
        for i in 0..<(SharedTable.lineWords - 1) {
            var v: UInt64 = 0
            for b in 0..<8 where i * 8 + b < bytes.count { v |= UInt64(bytes[i * 8 + b]) << (8 * UInt64(b)) }
            w[1 + i].store(v, ordering: .relaxed)
        }
        w[0].store(UInt64(bytes.count), ordering: .releasing)
        return true
    }
}

extension SharedTable {
    @inline(__always) public func slot(line: Int) -> Slot { slot(line) }

    /// Zeroes a server line, but its address sequence (readers compare it)
    /// and admin word (which holds a free slot in maintenance until the new
    /// server's state is written), its counters in every block, and its
    /// agent and check texts: a slot taken by a new server.
    public func clearServerLine(_ line: Int) {
        for f in 0..<SharedTable.lineWords where f != ServerField.addressSequence.rawValue && f != ServerField.admin.rawValue {
            SharedWord(words + (SharedTable.headerLines + line) * SharedTable.lineWords + f).store(0)
        }
        for block in 0...workers {
            for c in Counter.allCases { serverCounter(worker: block, server: line, c).store(0) }
        }
        AgentTable(self).clearLine(line)
    }
}
