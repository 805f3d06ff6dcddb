/// Bounds of an HTTP/1 message head, mirroring HAProxy's buffer tuning so that
/// Fulcrum refuses a head exactly where HAProxy would.
public struct HTTPLimits: Sendable, Equatable {
    /// HAProxy's `tune.bufsize - tune.maxrewrite` (16384 - 1024 by default):
    /// the room a head may take once stored as HTX. HAProxy measures a head
    /// in that form, not as received: 40 bytes for the start line block plus
    /// its three parts (no spaces), 8 per field plus name and trimmed value,
    /// and the head must fit in `maxHeadSize - 45` (measured against HAProxy
    /// 2.6: with the defaults, a 15315-byte HTX head passes, 15316 fails).
    public var maxHeadSize: Int
    /// Bytes a head may take as received (start line, fields, line ends,
    /// leading empty lines): HAProxy's input buffer less its HTX overhead,
    /// `tune.bufsize - 64` = 16320 by default (measured).
    public var maxRawHeadSize: Int
    /// HAProxy's `tune.http.maxhdr`: the size of its header list, whose last
    /// slot is taken by an end marker, so at most `maxFields - 1` fields fit.
    public var maxFields: Int
    /// `option accept-invalid-http-request` (or `-response` for responses):
    /// relaxes exactly what HAProxy 2.6 relaxes (see `HTTPParser`), and
    /// restores HAProxy's lenient handling of what Fulcrum alone refuses in
    /// requests: obs-fold, Content-Length beside Transfer-Encoding.
    public var acceptInvalid: Bool

    /// `maxRawHeadSize` defaults to `maxHeadSize + 960`, i.e. `tune.bufsize - 64`
    /// with the default `tune.maxrewrite` of 1024.
    public init(maxHeadSize: Int = 15360, maxFields: Int = 101, acceptInvalid: Bool = false, maxRawHeadSize: Int? = nil) {
        self.maxHeadSize = maxHeadSize
        self.maxRawHeadSize = maxRawHeadSize ?? maxHeadSize + 960
        self.maxFields = maxFields
        self.acceptInvalid = acceptInvalid
    }
}
