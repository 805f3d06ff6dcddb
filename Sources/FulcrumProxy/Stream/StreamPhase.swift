/// Where a stream is in its life. mode tcp goes starting → (queued |
/// connecting | retryWait)* → forwarding; mode http adds the request and
/// response analysers around it and may turn into a tunnel (forwarding).
enum StreamPhase {
    case idle
    /// `accept-proxy` / `tcp-request connection expect-proxy`: waiting for
    /// the PROXY header, before the TLS handshake and anything else.
    case proxyHeader
    /// `bind ... ssl`: the TLS handshake with the client, before anything else.
    case handshake
    /// mode tcp: accepted, a server is being chosen.
    case starting
    /// mode tcp: `tcp-request content` rules wait for the client's bytes
    /// (until they can decide or inspect-delay expires).
    case inspecting
    /// mode http: waiting for (the rest of) a request head.
    case request
    /// Every usable server is at its maxconn: waiting in the backend's queue.
    case queued
    case connecting
    /// A refused connection waits min(timeout connect, 1 s) before the retry.
    case retryWait
    /// Bytes both ways, L4: mode tcp, and mode http after 101 or CONNECT.
    case forwarding
    /// mode http: the request and the response of one exchange flowing.
    case exchange
    /// mode http: sending a local answer (error page, redirect, deny).
    case responding
    /// mode http: `http-request tarpit` holds the request until
    /// `timeout tarpit`, then answers with its status.
    case tarpit
    /// mode http: answer sent and our side shut; dropping what the client
    /// still sends until it closes, so the kernel sends no reset over it.
    case lingering
}
