/// The id `show sess` prints for a stream and `shutdown session` takes: where
/// HAProxy prints the stream's address, Fulcrum packs the worker slot, the
/// stream's slot and that slot's occupant number, so that the master can send
/// `shutdown session` to the one worker that holds it and a stale id finds
/// nothing.
public struct RuntimeSessionID: Equatable, Sendable {
    public var worker: Int
    public var slot: Int
    public var generation: UInt32

    public init(worker: Int, slot: Int, generation: UInt32) {
        self.worker = worker; self.slot = slot; self.generation = generation
    }

    /// worker (8 bits) | generation (32 bits) | slot (24 bits).
    public var value: UInt64 {
        UInt64(worker & 0xff) << 56 | UInt64(generation) << 24 | UInt64(slot & 0xff_ffff)
    }

    public var text: String { "0x" + String(value, radix: 16) }

    /// Parses what HAProxy's strtoul(…, 0) takes: 0x-prefixed hex, or decimal.
    public init?(text: String) {
        let v: UInt64?
        if text.hasPrefix("0x") || text.hasPrefix("0X") { v = UInt64(text.dropFirst(2), radix: 16) } else { v = UInt64(text) }
        guard let v else { return nil }
        worker = Int(v >> 56)
        generation = UInt32(truncatingIfNeeded: v >> 24)
        slot = Int(v & 0xff_ffff)
    }

    /// HAProxy's human_time(): "45s", "3m20s", "2h5m", "4d3h".
    public static func age(seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }
}
