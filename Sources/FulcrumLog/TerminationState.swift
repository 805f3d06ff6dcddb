/// The termination state of a stream as HAProxy logs it (manual 8.5): why
/// it ended (`sess_term_cond`), in which phase (`sess_fin_state`), and for
/// `%tsc` what happened to the persistence cookie on each side. The raw
/// values are the letters themselves, so writing one costs nothing.
public enum LogTerminationCause: UInt8, CaseIterable, Sendable {
    case none = 0x2D            // '-' normal end
    case local = 0x4C           // 'L' answered locally (stats, redirect...)
    case clientTimeout = 0x63   // 'c'
    case clientAbort = 0x43     // 'C'
    case serverTimeout = 0x73   // 's'
    case serverAbort = 0x53     // 'S' server aborted or refused
    case proxy = 0x50           // 'P' the proxy answered or denied
    case resource = 0x52        // 'R' a local resource ran out
    case `internal` = 0x49      // 'I'
    case down = 0x44            // 'D' server went down
    case killed = 0x4B          // 'K' killed by the admin
    case up = 0x55              // 'U' a backup server's sessions killed when a primary came back
}

public enum LogTerminationPhase: UInt8, CaseIterable, Sendable {
    case none = 0x2D            // '-'
    case request = 0x52         // 'R' waiting for the client's request
    case connect = 0x43         // 'C' connecting to the server
    case headers = 0x48         // 'H' waiting for the response headers
    case data = 0x44            // 'D' transferring data
    case last = 0x4C            // 'L' sending the last data to the client
    case queue = 0x51           // 'Q' in the queue
    case tarpit = 0x54          // 'T' tarpitted
}

/// Third letter of `%tsc`: the persistence cookie the client sent
/// (`sess_cookie`, "NIDVEOU").
public enum LogClientCookieState: UInt8, CaseIterable, Sendable {
    case noCookie = 0x4E    // 'N' no cookie (not `none`: these are used as optionals)
    case invalid = 0x49     // 'I' matches no server
    case down = 0x44        // 'D' designates a server that was down
    case valid = 0x56       // 'V' valid, the request went to its server
    case expired = 0x45     // 'E' older than maxidle allows
    case old = 0x4F         // 'O' older than maxlife allows
    case unused = 0x55      // 'U' present but another rule chose the server

    /// What a request's cookie was, from what the persistence code found, in
    /// HAProxy's order of checks: dates first (an expired or too old cookie
    /// is ignored whatever it names), then the server it names.
    public static func of(cookiePresent: Bool, expired: Bool = false, tooOld: Bool = false,
                          server: CookieServer, usedForRouting: Bool = true) -> LogClientCookieState {
        guard cookiePresent else { return .noCookie }
        if expired { return .expired }
        if tooOld { return .old }
        switch server {
        case .unknown: return .invalid
        case .down: return .down
        case .up: return usedForRouting ? .valid : .unused
        }
    }

    /// The server a cookie's value designates.
    public enum CookieServer: Sendable { case unknown, down, up }
}

/// Fourth letter of `%tsc`: the cookie on the response (`sess_set_cookie`,
/// "NPDIRU").
public enum LogServerCookieState: UInt8, CaseIterable, Sendable {
    case noCookie = 0x4E    // 'N' none from the server, none inserted
    case passive = 0x50     // 'P' the server's cookie passed as is
    case deleted = 0x44     // 'D' the server's cookie was deleted
    case inserted = 0x49    // 'I' the proxy inserted one
    case rewritten = 0x52   // 'R' rewritten (rewrite / prefix modes)
    case updated = 0x55     // 'U' the date of the client's cookie was refreshed
}

/// What `%ts` and `%tsc` write, gathered: the two letters every stream has,
/// and the cookie letters when the backend has a `cookie` (nil: '-').
public struct LogTerminationState: Hashable, Sendable {
    public var cause: LogTerminationCause
    public var phase: LogTerminationPhase
    public var clientCookie: LogClientCookieState?
    public var serverCookie: LogServerCookieState?

    public init(cause: LogTerminationCause = .none, phase: LogTerminationPhase = .none,
                clientCookie: LogClientCookieState? = nil, serverCookie: LogServerCookieState? = nil) {
        self.cause = cause; self.phase = phase; self.clientCookie = clientCookie; self.serverCookie = serverCookie
    }
}
