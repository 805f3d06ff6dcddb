/// The variables of a log-format string (HAProxy 2.6 manual 8.2.6, the
/// `logformat_keywords[]` table of src/log.c): one case per `%name`, with the
/// name as HAProxy spells it. `%o` is not a variable but a parse-time
/// directive (it sets the default flags) and has no case here.
public enum LogVariable: UInt8, CaseIterable, Hashable, Sendable {
    case bytesRead              // %B
    case capturedRequestCookie  // %CC
    case capturedResponseCookie // %CS
    case hostname               // %H
    case httpMethod             // %HM
    case httpPath               // %HP
    case httpPathOnly           // %HPO
    case httpQuery              // %HQ
    case httpURI                // %HU
    case httpVersion            // %HV
    case uniqueID               // %ID
    case statusCode             // %ST
    case gmtDate                // %T
    case activeTime             // %Ta
    case connectTime            // %Tc
    case dataTime               // %Td
    case localDate              // %Tl
    case handshakeTime          // %Th
    case idleTime               // %Ti
    case requestTimeTotal       // %Tq
    case requestTime            // %TR
    case responseTime           // %Tr
    case timestamp              // %Ts
    case totalTime              // %Tt
    case userTime               // %Tu
    case queueTime              // %Tw
    case bytesUploaded          // %U
    case activeConnections      // %ac
    case backendName            // %b
    case backendConnections     // %bc
    case backendSourceIP        // %bi
    case backendSourcePort      // %bp
    case backendQueue           // %bq
    case clientIP               // %ci
    case clientPort             // %cp
    case frontendName           // %f
    case frontendConnections    // %fc
    case frontendIP             // %fi
    case frontendPort           // %fp
    case frontendNameTransport  // %ft
    case logCounter             // %lc
    case requestHeaders         // %hr
    case requestHeaderList      // %hrl
    case responseHeaders        // %hs
    case responseHeaderList     // %hsl
    case milliseconds           // %ms
    case pid                    // %pid
    case requestLine            // %r
    case retries                // %rc
    case requestCounter         // %rt
    case serverName             // %s
    case serverConnections      // %sc
    case serverIP               // %si
    case serverPort             // %sp
    case serverQueue            // %sq
    case sslCipher              // %sslc
    case sslVersion             // %sslv
    case date                   // %t
    case requestDate            // %tr
    case requestGMTDate         // %trg
    case requestLocalDate       // %trl
    case terminationState       // %ts
    case terminationStateCookie // %tsc

    /// The name after `%`, as written in a format string.
    public var name: String {
        switch self {
        case .bytesRead: return "B"
        case .capturedRequestCookie: return "CC"
        case .capturedResponseCookie: return "CS"
        case .hostname: return "H"
        case .httpMethod: return "HM"
        case .httpPath: return "HP"
        case .httpPathOnly: return "HPO"
        case .httpQuery: return "HQ"
        case .httpURI: return "HU"
        case .httpVersion: return "HV"
        case .uniqueID: return "ID"
        case .statusCode: return "ST"
        case .gmtDate: return "T"
        case .activeTime: return "Ta"
        case .connectTime: return "Tc"
        case .dataTime: return "Td"
        case .localDate: return "Tl"
        case .handshakeTime: return "Th"
        case .idleTime: return "Ti"
        case .requestTimeTotal: return "Tq"
        case .requestTime: return "TR"
        case .responseTime: return "Tr"
        case .timestamp: return "Ts"
        case .totalTime: return "Tt"
        case .userTime: return "Tu"
        case .queueTime: return "Tw"
        case .bytesUploaded: return "U"
        case .activeConnections: return "ac"
        case .backendName: return "b"
        case .backendConnections: return "bc"
        case .backendSourceIP: return "bi"
        case .backendSourcePort: return "bp"
        case .backendQueue: return "bq"
        case .clientIP: return "ci"
        case .clientPort: return "cp"
        case .frontendName: return "f"
        case .frontendConnections: return "fc"
        case .frontendIP: return "fi"
        case .frontendPort: return "fp"
        case .frontendNameTransport: return "ft"
        case .logCounter: return "lc"
        case .requestHeaders: return "hr"
        case .requestHeaderList: return "hrl"
        case .responseHeaders: return "hs"
        case .responseHeaderList: return "hsl"
        case .milliseconds: return "ms"
        case .pid: return "pid"
        case .requestLine: return "r"
        case .retries: return "rc"
        case .requestCounter: return "rt"
        case .serverName: return "s"
        case .serverConnections: return "sc"
        case .serverIP: return "si"
        case .serverPort: return "sp"
        case .serverQueue: return "sq"
        case .sslCipher: return "sslc"
        case .sslVersion: return "sslv"
        case .date: return "t"
        case .requestDate: return "tr"
        case .requestGMTDate: return "trg"
        case .requestLocalDate: return "trl"
        case .terminationState: return "ts"
        case .terminationStateCookie: return "tsc"
        }
    }

    private static let byName: [String: LogVariable] = {
        var table: [String: LogVariable] = [:]
        for v in LogVariable.allCases { table[v.name] = v }
        return table
    }()

    /// The variable a name designates (case-sensitive, as HAProxy: `%t` and
    /// `%T` differ); nil when HAProxy 2.6 has no such variable.
    public init?<S: StringProtocol>(name: S) {
        guard let v = LogVariable.byName[String(name)] else { return nil }
        self = v
    }

    /// Variables HAProxy reserves for `mode http` proxies (a tcp proxy's
    /// format drops them with a warning: "format variable '%s' is reserved
    /// for HTTP mode").
    public var isHTTPOnly: Bool {
        switch self {
        case .capturedRequestCookie, .capturedResponseCookie, .activeTime, .idleTime, .requestTimeTotal,
             .responseTime, .requestTime, .httpMethod, .httpPath, .httpPathOnly, .httpQuery, .httpURI,
             .httpVersion, .requestLine, .requestDate, .requestGMTDate, .requestLocalDate:
            return true
        default:
            return false
        }
    }
}
