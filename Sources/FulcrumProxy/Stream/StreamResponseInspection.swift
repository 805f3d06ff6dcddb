import FulcrumCore
import FulcrumPosix

/// `tcp-response content` in mode tcp, as HAProxy's tcp_inspect_response:
/// once the server is connected the request flows, but what the server
/// sends stays in the response flow until the backend's rules decide on it
/// (`res.len`, `res.payload`...). A rule that cannot decide yet waits for
/// more bytes, the server's close, a full buffer or inspect-delay; then they
/// decide on what is there, and no rule matching accepts. `set-log-level`
/// choses the stream's line, `set-mark` / `set-tos` the client socket's
/// options, `silent-drop` forgets the client unannounced (HAProxy's
/// tcp_exec_action_silent_drop: PR, the frontend's denied requests).
extension StreamEngine {
    /// Reads the server and runs the rules; false when the stream was closed.
    func inspectResponse(_ s: Stream) -> Bool {
        guard let rules = backendTCPResponseRules[s.backend] else { s.inspectingResponse = false; return true }
        let limit = bufferSize - configuration.global.maxRewrite
        if !readForInspection(s, limit: limit, response: true) { return false }
        let final = rules.inspectDelay == nil || (s.phaseDeadline != 0 && s.phaseDeadline <= now)
            || s.response.sourceClosed || s.response.buffer.count >= limit
        var context = inspectionContext(s, limit: limit, final: final, response: true)
        let verdict = rules.inspect(&context)
        if context.log.level != .unchanged { s.http.ruleLog.level = context.log.level }
        if !context.clientSocket.isEmpty { applyClientSocket(s, context.clientSocket) }
        switch verdict {
        case .wait:
            return true
        case .silentDrop:
            s.record.deniedRequest = true
            s.record.terminate(.proxy, .request)
            Socket.silence(s.client.transport.fd)
            close(s, abort: false)
            return false
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

    /// What `set-mark` / `set-tos` rules chose, on the client's connection.
    func applyClientSocket(_ s: Stream, _ effects: ClientSocketEffects) {
        let fd = s.client.transport.fd
        if let mark = effects.mark { Socket.setMark(fd, mark, peer: s.peer) }
        if let tos = effects.tos { Socket.setTypeOfService(fd, tos, peer: s.peer) }
    }
}
