import FulcrumBytes

/// Connection management read from a head: the `Connection` tokens, the
/// persistence they imply with the version's default, `Expect: 100-continue`
/// and protocol upgrades (WebSocket). Everything reads the raw bytes; no
/// String is built.
public enum HTTPConnectionHeader {
    /// The `Connection` tokens Fulcrum acts on; other tokens name hop-by-hop
    /// fields and are reported by `hasOtherTokens`.
    public struct Tokens: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let close = Tokens(rawValue: 1)
        public static let keepAlive = Tokens(rawValue: 2)
        public static let upgrade = Tokens(rawValue: 4)
        /// Any other token (a hop-by-hop field name).
        public static let other = Tokens(rawValue: 8)
    }

    /// Tokens of every `Connection` field (comma lists, case-insensitive).
    public static func tokens(_ head: HTTPHead) -> Tokens {
        var t: Tokens = []
        let raw = head.raw
        for f in head.fields where !f.removed && ASCII.equalsLowercase(raw, f.name, "connection") {
            forEachElement(raw, f.value) { r in
                if ASCII.equalsLowercase(raw, r, "close") { t.insert(.close) }
                else if ASCII.equalsLowercase(raw, r, "keep-alive") { t.insert(.keepAlive) }
                else if ASCII.equalsLowercase(raw, r, "upgrade") { t.insert(.upgrade) }
                else { t.insert(.other) }
            }
        }
        return t
    }

    /// Whether the connection stays open after this message (RFC 9112 §9.3):
    /// HTTP/1.1 persists unless "close"; HTTP/1.0 closes unless "keep-alive"
    /// (and "close" always wins).
    public static func isKeepAlive(_ head: HTTPHead) -> Bool {
        let t = tokens(head)
        if t.contains(.close) { return false }
        return head.version == .http11 || t.contains(.keepAlive)
    }

    /// The request carries `Expect: 100-continue` (case-insensitive), so the
    /// client may wait for an interim 100 before sending the body.
    public static func expectsContinue(_ head: HTTPHead) -> Bool {
        let raw = head.raw
        for f in head.fields where !f.removed && ASCII.equalsLowercase(raw, f.name, "expect") {
            if ASCII.equalsLowercase(raw, f.value, "100-continue") { return true }
        }
        return false
    }

    /// A request asking to switch protocols: `Connection: upgrade` and an
    /// `Upgrade` field (HTTP/1.1 only, as upgrades are hop-by-hop 1.1 features).
    public static func isUpgradeRequest(_ head: HTTPHead) -> Bool {
        head.kind == .request && head.version == .http11 && tokens(head).contains(.upgrade) && hasField(head, "upgrade")
    }

    /// A request for a WebSocket (`Upgrade: websocket` among the protocols).
    public static func isWebSocketRequest(_ head: HTTPHead) -> Bool {
        isUpgradeRequest(head) && isWebSocketUpgrade(head)
    }

    /// `Connection: upgrade` with "websocket" among the `Upgrade` protocols,
    /// whatever the version (HAProxy checks the key of such requests even in 1.0).
    public static func isWebSocketUpgrade(_ head: HTTPHead) -> Bool {
        guard tokens(head).contains(.upgrade) else { return false }
        let raw = head.raw
        var found = false
        for f in head.fields where !f.removed && ASCII.equalsLowercase(raw, f.name, "upgrade") {
            forEachElement(raw, f.value) { r in
                // "websocket" possibly followed by "/version"
                var e = r.lowerBound
                while e < r.upperBound, raw[e] != 0x2F { e += 1 }
                if ASCII.equalsLowercase(raw, r.lowerBound..<e, "websocket") { found = true }
            }
        }
        return found
    }

    /// A 101 Switching Protocols response: from here on, both directions are a tunnel.
    public static func isUpgradeResponse(_ head: HTTPHead) -> Bool {
        head.kind == .response && head.status == 101
    }

    static func hasField(_ head: HTTPHead, _ lower: StaticString) -> Bool {
        head.fields.contains { !$0.removed && ASCII.equalsLowercase(head.raw, $0.name, lower) }
    }

    /// Calls `body` with the range of each non-empty element of a list value.
    @inline(__always)
    static func forEachElement(_ raw: [UInt8], _ r: Range<Int>, _ body: (Range<Int>) -> Void) {
        for element in raw[r].listElements() where !element.isEmpty { body(element.indices) }
    }
}
