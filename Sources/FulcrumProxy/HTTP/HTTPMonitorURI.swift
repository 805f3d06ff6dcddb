import FulcrumCore
import FulcrumHTTP

/// `monitor-uri` in the request analyser: checked once the head is accepted
/// and before the frontend's http-request rules, as HAProxy 2.6 does in
/// http_wait_for_request(). The answer is the proxy's own 200 (503 under
/// `monitor fail`) and the connection stays open as after any local answer;
/// no backend is chosen, the request counts as intercepted and, as in
/// HAProxy (SF_MONITOR), no log line is sent.
extension StreamEngine {
    /// True when the request was for the frontend's monitor URI and is answered.
    func answerMonitorRequest(_ s: Stream) -> Bool {
        guard let rules = frontendRules[s.frontend], rules.hasMonitorURI else { return false }
        let context = HTTPRuleContext(request: s.http.request, connection: connectionInfo(s))
        guard let page = HTTPMonitorRequest.answer(rules, context: context) else { return false }
        table.frontendCounter(worker: slot, frontend: s.frontend, .intercepted).bump()
        s.http.ruleLog.level = .silent
        s.record.terminate(.local, .request)
        respondHTTP(s, bytes: page.bytes, close: page.close)
        return true
    }
}
