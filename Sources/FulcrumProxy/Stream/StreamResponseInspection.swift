import FulcrumCore

/// `tcp-response content` in mode tcp, as HAProxy's tcp_inspect_response:
/// once the server is connected the request flows, but what the server
/// sends stays in the response flow until the backend's rules decide on it
/// (`res.len`, `res.payload`...). A rule that cannot decide yet waits for
/// more bytes, the server's close, a full buffer or inspect-delay; then they
/// decide on what is there, and no rule matching accepts.
extension StreamEngine {
    /// Reads the server and runs the rules; false when the stream was closed.
    func inspectResponse(_ s: Stream) -> Bool {
        guard let rules = backendTCPResponseRules[s.backend] else { s.inspectingResponse = false; return true }
        let limit = bufferSize - configuration.global.maxRewrite
        if !readForInspection(s, limit: limit, response: true) { return false }
        let final = rules.inspectDelay == nil || (s.phaseDeadline != 0 && s.phaseDeadline <= now)
            || s.response.sourceClosed || s.response.buffer.count >= limit
        switch rules.inspect(inspectionContext(s, limit: limit, final: final, response: true)) {
        case .wait:
            return true
        case .reject:
            s.record.terminate(.proxy, .data)
            close(s, abort: true)
            return false
        case .close:
            // What is there goes to the client, then both sides end.
            s.response.sourceClosed = true
            s.server.readable = false
        case .accept, .switchToHTTP:
            break
        }
        s.inspectingResponse = false
        s.phaseDeadline = 0
        return true
    }
}
