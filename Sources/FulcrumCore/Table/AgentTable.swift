import FulcrumBytes
import Synchronization

/// Agent check state (`agent-check`), and the health check's text
/// (last_chk), in a region of its own placed right after the shared table
/// in the same memfd (`TableIndex.tableSize` counts it), so the table's
/// layout stays as it is: one 64-word line per server line. The checker
/// writes the results; the master reads them for `show stat` / `show servers
/// state` and writes what the runtime API changes (`enable|disable agent`,
/// `set server agent-addr|agent-send`).
public struct AgentTable {
    public static let lineWords = 64
    /// Bytes of text a line keeps: the last reply's description, agent-send.
    public static let textCapacity = 120
    /// Bytes of the health check's description: HAProxy's HCHK_DESC_LEN - 1.
    public static let checkTextCapacity = 127

    public enum Field: Int {
        /// `Flags` bits.
        case flags = 0
        /// Last result: HCHK_STATUS_* (RuntimeCheckStatus raw value), code, duration ms.
        case status, code, duration
        /// The agent's health (HAProxy's agent rise and fall are 1: 0 or 1).
        case health
        /// `set server agent-addr`: kind (0 none, 1 IPv4, 2 IPv6), then the address's 128 bits.
        case addressKind, addressHigh, addressLow
        /// `set server agent-port`: port + 1 (0: as configured).
        case portOverride
        /// Bumped by each runtime change the checker must re-read (address, port, send).
        case settingsSequence
        /// `set server agent-send`: length + 1 (0: as configured); text from `sendText`.
        case sendLength
        /// The last reply's description (last_agt): its length; text from `descriptionText`.
        case descriptionLength
        /// The health check's last description (last_chk): its length; text from `checkDescriptionText`.
        case checkDescriptionLength
        case descriptionText = 16
        case sendText = 32
        case checkDescriptionText = 48
    }

    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// `disable agent` from the CLI (the check stays configured).
        public static let disabled = Flags(rawValue: 1)
        /// A check is in flight (HAProxy's "* " before agent_status).
        public static let inProgress = Flags(rawValue: 2)
        /// The same for the health check ("* " before check_status).
        public static let checkInProgress = Flags(rawValue: 4)
    }

    public static func byteSize(servers: Int) -> Int { servers * lineWords * 8 }

    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>

    /// The region after `table`'s own words (the memfd must hold both).
    public init(_ table: SharedTable) {
        let offset = SharedTable.byteSize(servers: table.servers, frontends: table.frontends, binds: table.binds,
                                          backends: table.backends, workers: table.workers) / 8
        words = table.words + offset
    }

    @inline(__always) public func word(_ line: Int, _ f: Field) -> SharedWord {
        SharedWord(words + line * AgentTable.lineWords + f.rawValue)
    }

    public func flags(_ line: Int) -> Flags { Flags(rawValue: word(line, .flags).load()) }
    public func setFlag(_ line: Int, _ flag: Flags, _ on: Bool) {
        let w = word(line, .flags)
        w.store(on ? w.load() | flag.rawValue : w.load() & ~flag.rawValue)
    }

    public func description(_ line: Int) -> String { text(line, length: .descriptionLength, at: .descriptionText) }
    public func setDescription(_ line: Int, _ s: String) { setText(line, s, length: .descriptionLength, at: .descriptionText, offset: 0) }

    /// The health check's description (HAProxy's check->desc, last_chk).
    public func checkDescription(_ line: Int) -> String {
        text(line, length: .checkDescriptionLength, at: .checkDescriptionText, capacity: AgentTable.checkTextCapacity)
    }
    public func setCheckDescription(_ line: Int, _ s: String) {
        setText(line, s, length: .checkDescriptionLength, at: .checkDescriptionText, offset: 0, capacity: AgentTable.checkTextCapacity)
    }

    /// Zeroes a line: a slot taken by a new server starts with no results.
    public func clearLine(_ line: Int) {
        for f in 0..<AgentTable.lineWords { words[line * AgentTable.lineWords + f].store(0, ordering: .relaxed) }
    }

    /// `set server agent-send`'s text, nil while the configured one stands.
    public func sendOverride(_ line: Int) -> String? {
        word(line, .sendLength).load() == 0 ? nil : text(line, length: .sendLength, at: .sendText, offset: 1)
    }
    public func setSendOverride(_ line: Int, _ s: String) {
        setText(line, s, length: .sendLength, at: .sendText, offset: 1)
        word(line, .settingsSequence).bump()
    }

    /// `set server agent-port`, nil while the configured one stands.
    public func portOverride(_ line: Int) -> Int? {
        let v = word(line, .portOverride).load()
        return v == 0 ? nil : Int(v - 1)
    }
    public func setPortOverride(_ line: Int, _ port: Int) {
        word(line, .portOverride).store(UInt64(port + 1))
        word(line, .settingsSequence).bump()
    }

    /// `set server agent-addr`, nil while the configured one stands.
    public func addressOverride(_ line: Int) -> IPAddress? {
        let kind = word(line, .addressKind).load(), high = word(line, .addressHigh).load(), low = word(line, .addressLow).load()
        switch kind {
        case 1: return .v4(IPv4Address(UInt32(truncatingIfNeeded: low)))
        case 2: return .v6(IPv6Address(high: high, low: low))
        default: return nil
        }
    }
    public func setAddressOverride(_ line: Int, _ a: IPAddress) {
        switch a {
        case .v4(let v4):
            word(line, .addressHigh).store(0); word(line, .addressLow).store(UInt64(v4.value))
            word(line, .addressKind).store(1)
        case .v6(let v6):
            word(line, .addressHigh).store(v6.high); word(line, .addressLow).store(v6.low)
            word(line, .addressKind).store(2)
        }
        word(line, .settingsSequence).bump()
    }

    private func text(_ line: Int, length: Field, at start: Field, offset: UInt64 = 0,
                      capacity: Int = AgentTable.textCapacity) -> String {
        let count = min(Int(word(line, length).load() &- offset), capacity)
        guard count > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let w = words[line * AgentTable.lineWords + start.rawValue + i / 8].load(ordering: .relaxed)
            bytes[i] = UInt8(truncatingIfNeeded: w >> (8 * UInt64(i % 8)))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func setText(_ line: Int, _ s: String, length: Field, at start: Field, offset: UInt64,
                         capacity: Int = AgentTable.textCapacity) {
        let bytes = Array(s.utf8.prefix(capacity))
        for i in 0..<((capacity + 7) / 8) {
            var v: UInt64 = 0
            for b in 0..<8 where i * 8 + b < bytes.count { v |= UInt64(bytes[i * 8 + b]) << (8 * UInt64(b)) }
            words[line * AgentTable.lineWords + start.rawValue + i].store(v, ordering: .relaxed)
        }
        word(line, length).storeReleasing(UInt64(bytes.count) + offset)
    }
}
