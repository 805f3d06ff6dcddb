// Connection-level proxy options: TCP keep-alive on each side, what happens
// to a request whose client left, which server a keep-alive client goes
// back to, and the backend's `fullconn` (dynamic server maxconn).

/// TCP keep-alive probes on one side's sockets (`option clitcpka` /
/// `srvtcpka` / `tcpka`, with `clitcpka-idle|intvl|cnt` and the `srvtcpka-`
/// ones). As HAProxy, the three tunables are only applied when the option
/// is on; unset ones keep the system's values (net.ipv4.tcp_keepalive_*).
public struct TCPKeepAlive: Equatable, Sendable {
    public var enabled = false
    /// TCP_KEEPIDLE, seconds.
    public var idle: Int? = nil
    /// TCP_KEEPINTVL, seconds.
    public var interval: Int? = nil
    /// TCP_KEEPCNT, probes.
    public var count: Int? = nil
    public init() {}
}

/// A proxy's connection options. A frontend reads the client-side ones, a
/// backend the server-side ones; a listen section is both.
public struct ProxyConnectionOptions: Equatable, Sendable {
    /// Frontend: keep-alive probes on accepted client connections.
    public var clientKeepAlive = TCPKeepAlive()
    /// Backend: keep-alive probes on server connections.
    public var serverKeepAlive = TCPKeepAlive()
    /// Backend, `option abortonclose`: a stream still queued or waiting for
    /// its connection when the client shuts its side is abandoned (logged
    /// `CQ` / `CC`), never sent to a server. Mode tcp, as HAProxy 2.6 acts on
    /// it: its HTTP/1 requests are served even then.
    public var abortOnClose = false
    /// Backend, `option prefer-last-server`: a keep-alive client's next
    /// request goes back to the server its private connection (`http-reuse
    /// never`, the only kind HAProxy 2.6 keeps with a session) is attached
    /// to, unless the algorithm hashes.
    public var preferLastServer = false
    /// Backend, `option persist`: a persistence cookie naming a server that
    /// is DOWN (or in maintenance) still sends the request there.
    public var persist = false
    /// `option nolinger`: a frontend's client connections, a backend's server
    /// connections are closed with SO_LINGER 0: an RST, pending data dropped,
    /// no FIN_WAIT/TIME_WAIT left behind.
    public var noLinger = false
    /// `option http-buffer-request` (frontend or backend): a request's body
    /// is read whole (or up to bufsize less maxrewrite) before any server is
    /// chosen or connected.
    public var bufferRequest = false
    /// Frontend, `[no] option tcp-smart-accept`: listeners with TCP_QUICKACK
    /// off, so the ACK of a request goes out with the response. nil: HAProxy's
    /// default, on in mode http and on `ssl` binds.
    public var smartAccept: Bool? = nil
    /// Backend, `option tcp-smart-connect`: server sockets connect with
    /// TCP_QUICKACK off, so the handshake's last ACK leaves with the request.
    public var smartConnect = false
    /// Frontend: whether a bind's listeners get smart accept.
    public func smartAccept(mode: ProxyMode, bind: Bind) -> Bool {
        smartAccept ?? (mode == .http || bind.tls.enabled)
    }
    /// `option splice-request` / `splice-response` (frontend or backend, either
    /// counts): that direction moves through splice(2) from its first byte.
    /// `option splice-auto` asks for splicing once a direction carries bulk
    /// data, which Fulcrum does without being asked (docs/differences.md).
    public var spliceRequest = false
    public var spliceResponse = false
    public var spliceAuto = false
    /// Frontend, `option http-ignore-probes`: a connection closed or timed out
    /// before any byte of a request came is neither answered, logged nor counted.
    public var ignoreProbes = false
    /// Backend, `fullconn N`: the backend load at which servers with
    /// `minconn` reach their `maxconn`. nil: HAProxy's default, 10% of the
    /// sum of the maxconn of the frontends that may use the backend.
    public var fullconn: Int? = nil
    /// Frontend, `option contstats`: a stream's byte counters reach the
    /// stats while it transfers (HAProxy: at each wake of the stream, about
    /// every 5 s for a long transfer), not only when it ends.
    public var continuousStats = false
    /// `option http-no-delay` (frontend or backend): HTTP messages are never
    /// sent with MSG_MORE. Without it, a head or body part sent while more of
    /// the message is due goes out with MSG_MORE, as HAProxy sends it, so
    /// the kernel may hold a partial segment up to 200 ms for what follows.
    public var noDelay = false
    /// Backend, `max-keep-alive-queue N` (nil: -1, no limit): with `option
    /// prefer-last-server`, a request goes back to its last server while it
    /// has a free slot or fewer than N requests queued, else to the balancer.
    public var maxKeepAliveQueue: Int? = nil
    /// `option independent-streams`, read on the backend side: bytes sent
    /// to the server no longer count as server activity, so `timeout server`
    /// runs from what the server last sent (an upload to a server silent
    /// longer than it is cut). haproxy 2.6.12 acts on it there only: in a
    /// frontend it changes nothing measurable (docs/differences.md).
    public var independentStreams = false
    public init() {}
}
