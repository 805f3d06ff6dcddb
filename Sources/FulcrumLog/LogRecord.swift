import FulcrumBytes

/// One end of a connection as the log shows it: `%ci`/`%cp` and friends.
public enum LogEndpoint: Hashable, Sendable {
    /// Not known (no server connection yet): the address is "-".
    case none
    case ip(IPAddress, port: Int)
    /// A unix socket: HAProxy writes "unix" and the listener's id as port.
    case unix(listenerID: Int)
}

/// Everything a log line is rendered from, as plain values: the stream fills
/// one when it ends (or at accept for the legacy format) and hands it to
/// `LogLineFormat.render`. Text fields are slices lent from storage the
/// stream already holds (its request head, its proxy's names), so filling a
/// record copies no bytes and allocates nothing.
///
/// The timers are HAProxy's `strm_logs` points, in milliseconds from the
/// accept, -1 where the point was not reached; the log's Tq/TR/Tw/Tc/Tr/Td/Ta/
/// Tu are derived from them with HAProxy's own arithmetic (so its quirks, such
/// as Tw being 1 in a tcplog line, come out the same).
public struct LogRecord: Sendable {
    // Endpoints.
    public var client: LogEndpoint = .none              // %ci %cp
    public var frontendAddress: LogEndpoint = .none     // %fi %fp
    public var backendSource: LogEndpoint = .none       // %bi %bp
    public var server: LogEndpoint = .none              // %si %sp

    // Names.
    public var frontendName: ArraySlice<UInt8> = []     // %f %ft
    /// The listener speaks TLS: `%ft` gets a '~'.
    public var frontendIsTLS = false
    /// `%b`; the frontend's name when no backend was chosen.
    public var backendName: ArraySlice<UInt8> = []
    /// `%s`; nil writes "<NOSRV>".
    public var serverName: ArraySlice<UInt8>?
    public var hostname: ArraySlice<UInt8> = []         // %H
    /// The frontend's mode: "HTTP" or "TCP" in the legacy line, and what `%Td`
    /// counts from.
    public var isHTTP = false

    // Counters at the time of logging.
    public var activeConnections = 0                    // %ac
    public var frontendConnections = 0                  // %fc
    public var backendConnections = 0                   // %bc
    public var serverConnections = 0                    // %sc
    public var retries = 0                              // %rc
    /// The stream was redispatched to another server: `%rc` gets a '+'.
    public var redispatched = false
    public var serverQueue = 0                          // %sq
    public var backendQueue = 0                         // %bq
    public var pid = 0                                  // %pid
    /// The stream's unique number (`%rt`).
    public var requestCounter = 0
    /// Lines the frontend logged before this one (`%lc`).
    public var logCounter = 0

    // Dates: wall clock, injected (pure code reads no clock and no timezone).
    /// Accept date, microseconds since the epoch (`%t`, `%T`, `%Ts`, `%ms`).
    public var acceptDateMicros: Int64 = 0
    /// Local time minus UTC, seconds, for `%t`, `%tr`, `%Tl`, `%trl`.
    public var utcOffsetSeconds = 0

    // Timers (milliseconds from the accept; -1: not reached).
    public var handshakeMs = 0                          // t_handshake (%Th)
    /// Idle time before the request (%Ti); -1 when not known.
    public var idleMs = 0
    /// Request complete (accept → end of request head); -1 in mode tcp.
    public var requestMs = -1
    /// Left the queue (a server was assigned).
    public var queueMs = -1
    /// Server connection established.
    public var connectMs = -1
    /// Response headers received.
    public var dataMs = -1
    /// End of the stream (%Tt).
    public var totalMs = 0
    /// `option logasap`: the line went out early; totals get a '+'.
    public var logAsap = false

    // The exchange.
    public var status = 0                               // %ST
    public var bytesIn: Int64 = 0                       // %U
    public var bytesOut: Int64 = 0                      // %B
    /// The request line as received ("GET / HTTP/1.1"); nil writes "<BADREQ>".
    /// Only its first `LogRecord.requestLineLimit` bytes are used, as HAProxy
    /// keeps that much.
    public var requestLine: ArraySlice<UInt8>?
    /// `capture request header` values in declaration order, each nil when
    /// the header was absent; empty when none is declared (or no stream
    /// exists, as for a bad request): `%hr` then writes nothing at all.
    public var requestCaptures: [ArraySlice<UInt8>?] = []
    public var responseCaptures: [ArraySlice<UInt8>?] = []
    public var capturedRequestCookie: ArraySlice<UInt8>?     // %CC
    public var capturedResponseCookie: ArraySlice<UInt8>?    // %CS
    public var uniqueID: ArraySlice<UInt8>?                  // %ID
    public var termination = LogTerminationState()          // %ts %tsc

    /// `fc_err`: the client connection's error code (HAProxy's CO_ER_*
    /// numbers), 0 when none.
    public var connectionErrorCode = 0

    // TLS (absent until TLS exists).
    public var sslCipher: ArraySlice<UInt8>?                 // %sslc
    public var sslVersion: ArraySlice<UInt8>?                // %sslv

    public init() {}

    /// HAProxy's `tune.http.logurilen` (1024) minus its terminating zero.
    public static let requestLineLimit = 1023

    // HAProxy's derived timers (sess_build_logline).
    public var timeToRequest: Int { requestMs >= 0 ? requestMs - idleMs - handshakeMs : -1 }           // TR
    public var timeToRequestTotal: Int { requestMs }                                                    // Tq
    public var timeInQueue: Int { queueMs >= 0 ? queueMs - requestMs : -1 }                             // Tw
    public var timeToConnect: Int { connectMs >= 0 ? connectMs - queueMs : -1 }                         // Tc
    public var timeToResponse: Int { dataMs >= 0 ? dataMs - connectMs : -1 }                            // Tr
    public var timeOfData: Int {                                                                        // Td
        if isHTTP { return dataMs >= 0 ? totalMs - dataMs : -1 }
        return connectMs >= 0 ? totalMs - connectMs : -1
    }
    public var activeTime: Int { totalMs - (idleMs >= 0 ? idleMs + handshakeMs : 0) }                  // Ta
    public var userTime: Int { totalMs - (idleMs >= 0 ? idleMs : 0) }                                   // Tu
    /// Start of the request: the accept date plus the idle and handshake times.
    public var requestDateMicros: Int64 {
        acceptDateMicros + Int64(idleMs >= 0 ? idleMs + handshakeMs : 0) * 1000
    }
}
