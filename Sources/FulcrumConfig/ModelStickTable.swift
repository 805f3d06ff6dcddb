/// A proxy's `stick-table` (HAProxy 2.6, manual 4.2 "stick-table"): the
/// key type, the bounds, and the data each entry stores. The table is named
/// after its proxy; `Configuration.stickTables` lists them in declaration
/// order, which is also the order `show table` lists them in.
public struct StickTableDefinition: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var keyType: StickKeyType
    /// Entries at most (`size`, with k/m/g suffixes).
    public var size: Int
    /// Milliseconds an entry lives after its last update; nil: forever.
    public var expire: Int?
    /// `nopurge`: a full table refuses new entries instead of evicting the
    /// least recently used.
    public var noPurge = false
    public var peers: String? = nil
    /// `srvkey name|addr`: what `server_key` stores (HAProxy's default: name).
    public var serverKey = StickServerKey.name
    /// What each entry stores, in HAProxy's data type order, each type once.
    public var data: [StickStoredData] = []

    public init(name: String, location: SourceLocation, keyType: StickKeyType, size: Int) {
        self.name = name; self.location = location; self.keyType = keyType; self.size = size
    }

    /// The stored data of `type`, when the table stores it.
    public func stored(_ type: StickDataType) -> StickStoredData? { data.first { $0.type == type } }
}

public enum StickServerKey: String, Equatable, Sendable { case name, addr }

/// `type ip|ipv6|integer|string [len N]|binary [len N]`.
public enum StickKeyType: Equatable, Sendable {
    case ip, ipv6, integer
    case string(length: Int)
    case binary(length: Int)

    /// The word `show table` prints after `type:`.
    public var keyword: String {
        switch self {
        case .ip: return "ip"
        case .ipv6: return "ipv6"
        case .integer: return "integer"
        case .string: return "string"
        case .binary: return "binary"
        }
    }

    /// Bytes a key takes in an entry.
    public var keySize: Int {
        switch self {
        case .ip, .integer: return 4
        case .ipv6: return 16
        case .string(let n), .binary(let n): return n
        }
    }
}

/// HAProxy 2.6's stick-table data types, in its STKTABLE_DT_* order (the
/// order `show table` prints them in).
public enum StickDataType: Int, CaseIterable, Comparable, Sendable {
    case serverID, gpt0, gpc0, gpc0Rate, connCount, connRate, connCurrent, sessCount, sessRate
    case httpReqCount, httpReqRate, httpErrCount, httpErrRate, bytesInCount, bytesInRate
    case bytesOutCount, bytesOutRate, gpc1, gpc1Rate, serverKey, httpFailCount, httpFailRate
    case gpt, gpc, gpcRate

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// How an entry holds a value of this type (HAProxy's std_type).
    public enum Storage: Sendable { case signed, unsigned, unsigned64, frequency, dictionary }

    public var name: String {
        switch self {
        case .serverID: return "server_id"
        case .gpt0: return "gpt0"
        case .gpc0: return "gpc0"
        case .gpc0Rate: return "gpc0_rate"
        case .connCount: return "conn_cnt"
        case .connRate: return "conn_rate"
        case .connCurrent: return "conn_cur"
        case .sessCount: return "sess_cnt"
        case .sessRate: return "sess_rate"
        case .httpReqCount: return "http_req_cnt"
        case .httpReqRate: return "http_req_rate"
        case .httpErrCount: return "http_err_cnt"
        case .httpErrRate: return "http_err_rate"
        case .bytesInCount: return "bytes_in_cnt"
        case .bytesInRate: return "bytes_in_rate"
        case .bytesOutCount: return "bytes_out_cnt"
        case .bytesOutRate: return "bytes_out_rate"
        case .gpc1: return "gpc1"
        case .gpc1Rate: return "gpc1_rate"
        case .serverKey: return "server_key"
        case .httpFailCount: return "http_fail_cnt"
        case .httpFailRate: return "http_fail_rate"
        case .gpt: return "gpt"
        case .gpc: return "gpc"
        case .gpcRate: return "gpc_rate"
        }
    }

    public init?(name: String) {
        guard let t = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }

    public var storage: Storage {
        switch self {
        case .serverID: return .signed
        case .bytesInCount, .bytesOutCount: return .unsigned64
        case .gpc0Rate, .connRate, .sessRate, .httpReqRate, .httpErrRate, .bytesInRate, .bytesOutRate,
             .gpc1Rate, .httpFailRate, .gpcRate:
            return .frequency
        case .serverKey: return .dictionary
        default: return .unsigned
        }
    }

    /// A rate: written `NAME(PERIOD)` (`gpc_rate(N,PERIOD)`).
    public var takesPeriod: Bool { storage == .frequency }
    /// `gpt(N)`, `gpc(N)`, `gpc_rate(N,PERIOD)`: N elements.
    public var isArray: Bool { self == .gpt || self == .gpc || self == .gpcRate }
}

/// One stored data type: its period for rates (ms) and its element count
/// for the array types (1 for the others).
public struct StickStoredData: Equatable, Sendable {
    public var type: StickDataType
    public var period: Int
    public var count: Int
    public init(_ type: StickDataType, period: Int = 0, count: Int = 1) {
        self.type = type; self.period = period; self.count = count
    }
}
