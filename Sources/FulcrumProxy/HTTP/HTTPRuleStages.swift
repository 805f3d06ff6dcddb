import FulcrumCore

/// The request's rule sets, frontend's then backend's, each of which may
/// stop at an `http-request wait-for-body` rule until enough of the body is
/// buffered (HAProxy yields the rule and resumes it there): the context the
/// rules built so far waits in the transaction (`HTTPRuleWait`), and each
/// read of the client runs the same rule again, until it lets the request
/// on or its `time` ends in a 408 (StreamTimeouts).
/// How a rule stage ended: a step for the analyser (answered, waiting),
/// or on to the backend, which the caller takes once the rules' context is
/// gone (so the request head it shared is the stream's alone again, and
/// edited in place, not copied).
enum HTTPRuleStageEnd {
    case step(StreamEngine.AnalyserStep)
    case proceed(backend: Int?)
}

/// A class: every stream slot's transaction has room for one, and an
/// inline rule context would cost each idle connection about a kilobyte.
final class HTTPRuleWait {
    var context: HTTPRuleContext
    /// The backend whose rules wait; -1: the frontend's.
    var backend: Int
    /// A tcp stream upgraded to http: only that backend's rules run.
    var upgraded: Bool

    init(context: HTTPRuleContext, backend: Int, upgraded: Bool) {
        self.context = context; self.backend = backend; self.upgraded = upgraded
    }
}

extension StreamEngine {
    /// The frontend's rules, redirects and use_backend, then the backend's.
    func frontendRuleStage(_ s: Stream, _ ctx: inout HTTPRuleContext) -> HTTPRuleStageEnd {
        let fe = frontends[s.frontend]
        let rules = frontendRules[s.frontend]!
        let outcome = HTTPRequestProcessing.frontend(rules, defaultBackend: fe.config.defaultBackend, context: &ctx,
                                                     backendExists: { self.backendIndexByName[$0] != nil })
        s.http.ruleLog = ctx.log
        adoptAddresses(s, ctx.connection)
        let backend: Int?
        switch outcome {
        case .forward(let name):
            backend = name.flatMap { backendIndexByName[$0] } ?? fe.backend
        case .waitForBody(let time):
            return waitForBody(s, ctx, time: time, backend: -1, upgraded: false)
        default:
            finishRules(s, outcome, ctx, backend: nil)
            return .step(.done)
        }
        s.http.ruleWaitDeadline = 0
        // A frontend's cache hit answers before any backend (HAProxy's
        // applet target skips the backend analysers).
        if answerFromCache(s, &ctx, backend: nil) { return .step(.done) }
        if let bi = backend, configuration.backends[bi].name != fe.config.name, backendRules[bi] != nil {
            return backendRuleStage(s, &ctx, backend: bi, upgraded: false)
        }
        return rulesDone(s, &ctx, backend: backend, upgraded: false)
    }

    /// Backend `bi`'s rules and redirects.
    func backendRuleStage(_ s: Stream, _ ctx: inout HTTPRuleContext, backend bi: Int, upgraded: Bool) -> HTTPRuleStageEnd {
        let rules = backendRules[bi]!
        if rules.waitsForBody && ctx.body == nil { giveBody(s, &ctx) }
        s.routedBackend = bi
        let outcome = HTTPRequestProcessing.backend(rules, context: &ctx)
        s.http.ruleLog = ctx.log
        adoptAddresses(s, ctx.connection)
        switch outcome {
        case .forward:
            s.http.ruleWaitDeadline = 0
            return rulesDone(s, &ctx, backend: bi, upgraded: upgraded)
        case .waitForBody(let time):
            return waitForBody(s, ctx, time: time, backend: bi, upgraded: upgraded)
        default:
            finishRules(s, outcome, ctx, backend: bi)
            return .step(.done)
        }
    }

    /// What the rules left goes into the request; then on to the backend.
    private func rulesDone(_ s: Stream, _ ctx: inout HTTPRuleContext, backend: Int?, upgraded: Bool) -> HTTPRuleStageEnd {
        s.http.request = ctx.request
        if !upgraded { s.http.cacheRequest = ctx.cache.request }
        if !ctx.earlyHints.isEmpty && !sendEarlyHints(s, ctx.earlyHints) { return .step(.done) }
        if !upgraded && answerFromCache(s, &ctx, backend: backend) { return .step(.done) }
        return .proceed(backend: backend)
    }

    /// A stage's end, taken once its context is gone.
    func afterStage(_ s: Stream, _ end: HTTPRuleStageEnd) -> AnalyserStep {
        switch end {
        case .step(let step): return step
        case .proceed(let backend): return afterRules(s, backend: backend)
        }
    }

    /// Parks the rules until more of the body arrives; the first wait of a
    /// rule set starts its clock (HAProxy's analyse_exp; 0: none).
    private func waitForBody(_ s: Stream, _ ctx: HTTPRuleContext, time: Int, backend: Int, upgraded: Bool) -> HTTPRuleStageEnd {
        if s.http.ruleWaitDeadline == 0 && time > 0 { s.http.ruleWaitDeadline = now + Int64(time) }
        s.http.ruleWait = HTTPRuleWait(context: ctx, backend: backend, upgraded: upgraded)
        s.http.awaitingBody = HTTPTransaction.inRules
        return .step(.wait)
    }

    /// The client sent more (or closed): the waiting rule runs again with
    /// what is buffered now.
    func resumeRules(_ s: Stream) -> AnalyserStep {
        let end: HTTPRuleStageEnd
        do {
            guard let wait = s.http.ruleWait else { return .done }
            s.http.ruleWait = nil
            s.http.awaitingBody = -1
            giveBody(s, &wait.context)
            end = wait.backend < 0 ? frontendRuleStage(s, &wait.context)
                : backendRuleStage(s, &wait.context, backend: wait.backend, upgraded: wait.upgraded)
        }
        return afterStage(s, end)
    }

    /// What is buffered of the body, and whether waiting longer can bring
    /// more (HAProxy goes on once the client closed its side).
    func giveBody(_ s: Stream, _ ctx: inout HTTPRuleContext) {
        provideBody(s, &ctx)
        ctx.bodyBuffered = requestBodyBuffered(s) || s.client.eof
    }
}
