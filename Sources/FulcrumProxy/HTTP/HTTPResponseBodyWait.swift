import FulcrumCore

/// `http-response wait-for-body`: the response head is parsed and its
/// rules stop at that rule until the body is all there, `at-least` bytes
/// of it, the buffer full or the server closed; meanwhile the server is
/// read on (nothing goes to the client) and each read runs the same rule
/// again. Its time ends in a 504 (sD), as HAProxy's abort_res.
/// A class for the reason HTTPRuleWait is one (idle slots hold no context).
final class HTTPResponseRuleWait {
    var context: HTTPRuleContext
    /// The rule set that waits: 0 the backend's, 1 the frontend's.
    var set: Int

    init(context: HTTPRuleContext, set: Int) { self.context = context; self.set = set }
}

extension StreamEngine {
    func waitForResponseBody(_ s: Stream, _ ctx: HTTPRuleContext, time: Int, set: Int) -> AnalyserStep? {
        if s.http.responseRuleDeadline == 0 && time > 0 { s.http.responseRuleDeadline = now + Int64(time) }
        s.http.responseRuleWait = HTTPResponseRuleWait(context: ctx, set: set)
        return .wait
    }

    /// The server sent more (or closed): the waiting rule runs again.
    func resumeResponseRules(_ s: Stream) -> AnalyserStep {
        let step: AnalyserStep?
        do {
            guard let wait = s.http.responseRuleWait else { return .done }
            s.http.responseRuleWait = nil
            giveResponseBody(s, &wait.context)
            step = responseRuleStage(s, &wait.context, from: wait.set)
        }
        return step ?? responseRulesDone(s)
    }

    /// What is buffered of the response body, for `res.body*`.
    func giveResponseBody(_ s: Stream, _ ctx: inout HTTPRuleContext) {
        let body = s.http.exchange.responseBody
        ctx.responseBody = bufferedBody(body, s.http.fromServer)
        ctx.responseBodyBuffered = bodyBuffered(body, s.http.fromServer, eof: s.server.eof)
    }
}
