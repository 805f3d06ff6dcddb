import FulcrumLog

// Pattern files (HAProxy's pat_ref): the files ACLs read with `-f` and the
// map converters read, and the inline patterns of each ACL line. The runtime
// API (`show map`, `add acl`, ...) changes them by file name or `#ID`, so
// the parser numbers them as HAProxy 2.6 does and records who uses each.

/// What a map converter's values become (`map_str` → str, `map_str_int` →
/// int, `map_str_ip` → ip).
public enum MapOutput: String, Equatable, Sendable {
    case str, int, ip
}

/// `map_<match>[_<output>](FILE[,DEFAULT])`, and `map(FILE[,DEFAULT])`
/// (`map_str`).
public struct MapConverter: Equatable, Sendable {
    /// As written (`map_beg_int`): error messages and `get map`.
    public var name: String
    /// How the input is compared with the keys: str, beg, sub, dir, dom,
    /// end, reg, int, ip.
    public var method: MatchMethod
    public var output: MapOutput
    public var file: String
    /// Returned when nothing matches; without one the converter fails (no sample).
    public var defaultValue: String?
    /// `map_regm`: the value's `\N` are replaced with the key's groups.
    public var substitutes: Bool
    public init(name: String, method: MatchMethod, output: MapOutput, file: String, defaultValue: String?) {
        self.name = name; self.method = method; self.output = output; self.file = file; self.defaultValue = defaultValue
        substitutes = name == "map_regm"
    }

    /// HAProxy 2.6's map converters (src/map.c): name → (match, output).
    public static let table: [String: (MatchMethod, MapOutput)] = {
        var t: [String: (MatchMethod, MapOutput)] = ["map": (.str, .str), "map_regm": (.reg, .str)]
        let methods: [MatchMethod] = [.str, .beg, .sub, .dir, .dom, .end, .reg, .int, .ip]
        for m in methods {
            t["map_\(m.rawValue)"] = (m, .str)
            t["map_\(m.rawValue)_int"] = (m, .int)
            t["map_\(m.rawValue)_ip"] = (m, .ip)
        }
        return t
    }()
}

/// A pattern reference as HAProxy numbers and describes it: a file (shared
/// by every ACL or map converter naming it) or one ACL line's inline
/// patterns.
public struct PatternReferenceDeclaration: Equatable, Sendable {
    /// HAProxy's unique_id: `#ID` on the CLI.
    public var id: Int
    /// The file name as written; nil for an ACL line's inline patterns.
    public var file: String?
    /// A map file (two columns) rather than an ACL's (one).
    public var isMap: Bool
    /// Listed by `show acl` (and changed by the acl commands): an ACL file,
    /// inline patterns, or a map file an ACL reads with `-M`.
    public var isACL: Bool
    /// `show map|acl`'s description: "pattern loaded from file 'F' used by
    /// map at file 'C' line N[, by map at ...]" or "acl 'CRITERION' file 'C' line N".
    public var display: String
    /// Inline ACL patterns (empty for files).
    public var patterns: [String]
    /// Where it was first used (errors about the file's contents).
    public var location: SourceLocation
    /// Its first user as HAProxy's errors name it: "ACL 'name'", "converter 'map_beg'".
    public var user: String
    public init(id: Int, file: String?, isMap: Bool, display: String, patterns: [String] = [], location: SourceLocation,
                user: String = "") {
        self.id = id; self.file = file; self.isMap = isMap; isACL = !isMap; self.display = display
        self.patterns = patterns; self.location = location; self.user = user
    }
}

/// HAProxy 2.6 creates two ACL pattern references of its own (its internal
/// httpclient proxy) after parsing and before resolving `use_backend`
/// names: Fulcrum leaves their ids unused so `#ID`s stay the same.
public enum PatternNumbering {
    public static let reservedAfterParsing = 2
}
