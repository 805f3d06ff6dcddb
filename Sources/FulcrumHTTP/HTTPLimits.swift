/// Bounds of an HTTP/1 message head, mirroring HAProxy's buffer tuning so that
/// Fulcrum refuses a head exactly where HAProxy would.
public struct HTTPLimits: Sendable, Equatable {
    /// Largest head (start line, fields, empty line, plus any leading empty
    /// lines) accepted: HAProxy's `tune.bufsize - tune.maxrewrite`
    /// (16384 - 1024 by default) is the room a head may take in a buffer.
    public var maxHeadSize: Int
    /// HAProxy's `tune.http.maxhdr`: the size of its header list, whose last
    /// slot is taken by an end marker, so at most `maxFields - 1` fields fit.
    public var maxFields: Int
    /// `option accept-invalid-http-request` (or `-response` for responses):
    /// relaxes exactly what HAProxy 2.6 relaxes (see `HTTPParser`).
    public var acceptInvalid: Bool

    public init(maxHeadSize: Int = 15360, maxFields: Int = 101, acceptInvalid: Bool = false) {
        self.maxHeadSize = maxHeadSize
        self.maxFields = maxFields
        self.acceptInvalid = acceptInvalid
    }
}
