import FulcrumConfig
import FulcrumCore
import FulcrumHTTP

/// A mode tcp frontend whose stream is routed (default_backend, use_backend)
/// to a mode http backend: HAProxy upgrades the stream to HTTP (its
/// examples/transparent_proxy.cfg relies on it). The stream becomes an HTTP
/// one in the request phase: what tcp-request content inspection already
/// read is the start of the first head and the backend's rules and options
/// apply. Each later request of the connection is routed again by the
/// frontend's `use_backend` rules, as HAProxy does for each new stream, on
/// an HTTP message: payload fetches find no bytes there.
extension StreamEngine {
    func upgradeToHTTP(_ s: Stream, backend be: Int) {
        s.upgradedBackend = be
        s.phaseDeadline = 0
        let mode = backends[be].config.http.connectionMode
        switchToHTTP(s, policy: HTTPExchange.Policy(serverKeepAlive: mode == .keepAlive, clientKeepAlive: mode != .close))
    }

    /// The stream becomes an HTTP one waiting for its first head (also
    /// `tcp-request content switch-mode http`, which keeps the frontend's
    /// HTTP rules and `use_backend`): what inspection read is its start.
    func switchToHTTP(_ s: Stream, policy: HTTPExchange.Policy) {
        s.isHTTP = true
        if !s.request.buffer.isEmpty {
            swap(&s.request.buffer, &s.http.fromClient)
            s.record.requestStarted = now
        }
        s.request.buffer.release(to: buffers)
        s.http.exchange.reset(policy: policy)
        s.phase = .request
        s.headStarted = now
        advanceHTTP(s)
    }

    /// The backend of a later request on an upgraded connection: the
    /// frontend's first `use_backend` holding on the request (no payload),
    /// else its default backend, when it is an http one; else the same.
    func upgradedRoute(_ s: Stream) -> Int {
        var target = frontends[s.frontend].backend
        if let rules = frontendTCPRules[s.frontend] {
            let context = HTTPRuleContext(request: s.http.request, connection: connectionInfo(s))
            if let name = rules.route(context), let i = backendIndexByName[name] { target = i }
        }
        guard let be = target, backends[be].config.mode == .http else { return s.upgradedBackend }
        return be
    }
}
