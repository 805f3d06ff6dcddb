extension PrometheusExporter {
    /// What a scrape asks for, read from the query string as HAProxy 2.6's
    /// promex_parse_uri() reads it: `scope=` parameters add up (`*` is all,
    /// an empty value clears what came before), no `scope` at all means
    /// every scope, and `no-maint` leaves servers in maintenance out.
    public struct Query: Sendable, Equatable {
        /// The sections a scrape may ask for (PROMEX_FL_SCOPE_*).
        public struct Scopes: OptionSet, Sendable, Hashable {
            public let rawValue: UInt8
            public init(rawValue: UInt8) { self.rawValue = rawValue }
            public static let global = Scopes(rawValue: 1)
            public static let frontend = Scopes(rawValue: 2)
            public static let listener = Scopes(rawValue: 4)
            public static let backend = Scopes(rawValue: 8)
            public static let server = Scopes(rawValue: 16)
            public static let sticktable = Scopes(rawValue: 32)
            public static let all: Scopes = [.global, .frontend, .listener, .backend, .server, .sticktable]
        }

        public var scopes: Scopes
        /// `no-maint`: skip servers in maintenance (whatever its value).
        public var noMaintenance: Bool

        public init(scopes: Scopes = .all, noMaintenance: Bool = false) {
            self.scopes = scopes
            self.noMaintenance = noMaintenance
        }

        /// Reads the part of the URI after its first "?" (without the "?").
        /// nil where HAProxy answers 400: `scope` without "=", an unknown
        /// scope, a second "=" in a value, or a bad %-escape in a name or value.
        public init?(query: Substring) {
            self.init(scopes: [], noMaintenance: false)
            var sawScope = false
            let bytes = Array(query.utf8)
            var p = 0
            let end = bytes.count
            func isStop(_ c: UInt8) -> Bool { c == UInt8(ascii: "=") || c == UInt8(ascii: "&") || c == UInt8(ascii: "#") }
            while p < end && bytes[p] != 0 && bytes[p] != UInt8(ascii: "#") {
                let keyStart = p
                while p < end && !isStop(bytes[p]) { p += 1 }
                let keyEnd = p
                var value: [UInt8]?
                var atFragment = false
                if p < end && bytes[p] == UInt8(ascii: "=") {
                    p += 1
                    let valueStart = p
                    while p < end && !isStop(bytes[p]) { p += 1 }
                    if p < end && bytes[p] == UInt8(ascii: "=") { return nil }
                    guard let decoded = Query.formDecode(bytes[valueStart..<p]) else { return nil }
                    value = decoded
                }
                if p < end && bytes[p] == UInt8(ascii: "&") { p += 1 } else if p < end { atFragment = true }
                guard let key = Query.formDecode(bytes[keyStart..<keyEnd]) else { return nil }
                if key.elementsEqual("scope".utf8) {
                    sawScope = true
                    guard let value else { return nil }
                    if value.isEmpty {
                        scopes = []
                    } else if value[0] == UInt8(ascii: "*") {
                        scopes.formUnion(.all)
                    } else if let scope = Query.scope(named: value) {
                        scopes.insert(scope)
                    } else {
                        return nil
                    }
                } else if key.elementsEqual("no-maint".utf8) {
                    noMaintenance = true
                }
                if atFragment { break }
            }
            if !sawScope { scopes = .all }
        }

        static func scope(named value: [UInt8]) -> Scopes? {
            switch String(decoding: value, as: UTF8.self) {
            case "global": return .global
            case "frontend": return .frontend
            case "listener": return .listener
            case "backend": return .backend
            case "server": return .server
            case "sticktable": return .sticktable
            default: return nil
            }
        }

        /// url_decode(…, in_form=1): "+" is a space, "%XX" a byte; a "%" not
        /// followed by two hex digits is an error. Decoding stops at a NUL.
        static func formDecode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            var i = text.startIndex
            while i < text.endIndex {
                let c = text[i]
                if c == UInt8(ascii: "%") {
                    guard i + 2 < text.endIndex, let hi = hexValue(text[i + 1]), let lo = hexValue(text[i + 2]) else { return nil }
                    let byte = hi << 4 | lo
                    if byte == 0 { break }
                    out.append(byte)
                    i += 3
                    continue
                }
                out.append(c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
                i += 1
            }
            return out
        }

        static func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
    }
}
