/// One peers protocol message after the handshake: a class byte, a type
/// byte and, for stick-table messages (type ≥ 128), a varint length and
/// that many payload bytes (HAProxy's peer_recv_msg).
public enum PeerMessage: Equatable, Sendable {
    public enum Control: UInt8, Sendable { case resyncRequest = 0, resyncFinished, resyncPartial, resyncConfirm, heartbeat }
    public enum TableKind: UInt8, Sendable {
        case update = 0x80, incrementalUpdate = 0x81, define = 0x82, switchTable = 0x83, ack = 0x84
        case timedUpdate = 0x85, incrementalTimedUpdate = 0x86
        /// The update carries its id (else it is the previous one + 1).
        public var hasID: Bool { self == .update || self == .timedUpdate }
        /// The update carries the entry's remaining lifetime.
        public var isTimed: Bool { self == .timedUpdate || self == .incrementalTimedUpdate }
        public var isUpdate: Bool { hasID || self == .incrementalUpdate || self == .incrementalTimedUpdate }
    }

    public static let classControl: UInt8 = 0
    public static let classError: UInt8 = 1
    public static let classTable: UInt8 = 10
    public static let classReserved: UInt8 = 255
    /// Error messages: protocol error, size limit.
    public static let errorProtocol: UInt8 = 0
    public static let errorSizeLimit: UInt8 = 1
    /// The largest payload accepted (HAProxy's limit is its buffer size).
    public static let maxPayload = 65536

    /// A frame found at the start of a byte buffer.
    public enum Frame: Equatable {
        /// More bytes are needed.
        case incomplete
        /// `length` bytes in all; the payload is `payload` (empty for control and error messages).
        case message(messageClass: UInt8, type: UInt8, payload: Range<Int>, length: Int)
        /// The length does not decode or exceeds `maxPayload`.
        case tooLarge
    }

    /// The frame at `start` of `bytes` (up to `end`).
    public static func frame(_ bytes: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil) -> Frame {
        let end = end ?? bytes.count
        guard end - start >= 2 else { return .incomplete }
        let c = bytes[start], t = bytes[start + 1]
        guard t & 0x80 != 0 else { return .message(messageClass: c, type: t, payload: start + 2..<start + 2, length: 2) }
        var p = start + 2
        guard let n = PeerVarint.decode(bytes, &p, end: end) else {
            // Five bytes hold any 32-bit length: more than that cannot be one.
            return end - (start + 2) >= 5 ? .tooLarge : .incomplete
        }
        guard n <= UInt64(maxPayload) else { return .tooLarge }
        let total = p - start + Int(n)
        guard end - start >= total else { return .incomplete }
        return .message(messageClass: c, type: t, payload: p..<p + Int(n), length: total)
    }

    /// Appends a control message.
    public static func control(_ c: Control, into out: inout [UInt8]) {
        out.append(classControl); out.append(c.rawValue)
    }

    public static func error(_ type: UInt8, into out: inout [UInt8]) {
        out.append(classError); out.append(type)
    }

    /// Appends a stick-table message whose payload `build` writes (the
    /// length is put in front once known).
    public static func table(_ kind: TableKind, into out: inout [UInt8], _ build: (inout [UInt8]) -> Void) {
        var payload: [UInt8] = []
        build(&payload)
        out.append(classTable); out.append(kind.rawValue)
        PeerVarint.encode(UInt64(payload.count), into: &out)
        out += payload
    }

    /// ACK: the table's id as the sender gave it, the last update id received.
    public static func ack(tableID: Int, update: UInt32, into out: inout [UInt8]) {
        table(.ack, into: &out) { p in
            PeerVarint.encode(UInt64(tableID), into: &p)
            p.appendPeerU32(update)
        }
    }
}
