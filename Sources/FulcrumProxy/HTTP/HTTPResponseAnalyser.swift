import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

extension StreamEngine {
    /// Parses the response head (1xx are forwarded and parsing goes on), runs
    /// http-response rules and persistence, and decides what the connections
    /// do after this response.
    func analyseResponse(_ s: Stream) -> AnalyserStep {
        if s.http.responseRuleWait != nil { return resumeResponseRules(s) }
        let limits = responseLimits
        if s.http.responseBox == nil { s.http.responseBox = heads.take(kind: .response) }
        let outcome = HTTPParser.parseResponse(s.http.fromServer.readable, limits: limits, into: &s.http.response)
        switch outcome {
        case .incomplete:
            if s.http.fromServer.count >= limits.maxHeadSize {
                captureError(s, response: true, bytes: s.http.fromServer.readable, errorAt: s.http.fromServer.count)
                s.record.terminate(.proxy, .headers)
                serverFailed(s, status: 502)
                return .done
            }
            return .wait
        case .invalid:
            captureError(s, response: true, bytes: s.http.fromServer.readable, errorAt: s.http.response.errorOffset)
            s.record.terminate(.proxy, .headers)
            serverFailed(s, status: 502, retry: .junkResponse)
            return .done
        case .complete(let length):
            s.http.fromServer.consume(length)
            s.http.fromServer.releaseIfEmpty(to: buffers)
            switch s.http.exchange.responseHead(&s.http.response, draining: draining) {
            case .interim:
                appendHead(&s.http.response, to: &s.response.buffer)
                return .progress
            case .refuse(let status):
                s.record.terminate(.proxy, .headers)
                serverFailed(s, status: status)
                return .done
            case .forward, .tunnel:
                break
            }
            // What is already buffered of a chunked body is checked before the
            // head goes out, as HAProxy parses its whole buffer: a bad chunk
            // there is a 502 and a `show errors` entry at the bad byte.
            if s.http.exchange.responseBody.framing == .chunked {
                var probe = ChunkedBodyParser(errorStatus: 502)
                if case .invalid(let e) = s.http.fromServer.withReadable({ probe.feed($0) }) {
                    let message = s.http.response.raw + Array(s.http.fromServer.readable)
                    message.withUnsafeBytes { captureError(s, response: true, bytes: $0, errorAt: s.http.response.raw.count + (e.at ?? 0)) }
                    s.record.terminate(.proxy, .headers)
                    serverFailed(s, status: 502)
                    return .done
                }
            }
            s.record.responseHeaders = now
            s.record.status = s.http.response.status
            s.record.serverStatus = s.http.response.status
            observeLayer7(s, ok: s.http.response.status < 500)
            if retryHTTP(s, .status(s.http.response.status)) { return .done }
            stickStore(s, responsePhase: true)
            // http-response rules (backend's, then frontend's), then persistence cookies.
            if s.backend >= 0 {
                let sets = responseRuleSets(s)
                if sets.0?.hasResponseRules == true || sets.1?.hasResponseRules == true {
                    // The context is gone before the head is edited further (not copied).
                    let step: AnalyserStep?
                    do {
                        var ctx = HTTPRuleContext(request: s.http.request, response: s.http.response, connection: connectionInfo(s))
                        ctx.variables = s.variables
                        ctx.cache.request = s.http.cacheRequest
                        ctx.cache.now = Int64(wallNow)
                        // `http-response track-sc*` may be the stream's first tracking.
                        ctx.stick = stickTracker(s)
                        // HAProxy prunes the request's variables when the response is analysed.
                        s.variables.request.clear()
                        step = responseRuleStage(s, &ctx, from: 0)
                    }
                    if let step { return step }
                }
            }
            return responseRulesDone(s)
        }
    }

    /// The response rule sets: the backend's (unless it is the frontend's
    /// own listen section), then the frontend's.
    func responseRuleSets(_ s: Stream) -> (HTTPCompiledRules?, HTTPCompiledRules?) {
        let fe = frontends[s.frontend]
        let backendSet = configuration.backends[s.backend].name != fe.config.name ? backendRules[s.backend] : nil
        return (backendSet, frontendRules[s.frontend])
    }

    /// The response rules from set `from` (0: the backend's, 1: the
    /// frontend's); an `http-response wait-for-body` parks them
    /// (HTTPResponseBodyWait.swift). nil: on to `responseRulesDone`.
    func responseRuleStage(_ s: Stream, _ ctx: inout HTTPRuleContext, from first: Int) -> AnalyserStep? {
        let sets = responseRuleSets(s)
        if ctx.responseBody == nil && (sets.0?.responseWaitsForBody == true || sets.1?.responseWaitsForBody == true) {
            giveResponseBody(s, &ctx)
        }
        for i in first..<2 {
            guard let rules = i == 0 ? sets.0 : sets.1, rules.hasResponseRules else { continue }
            let outcome = HTTPRequestProcessing.response(rules, context: &ctx)
            s.http.ruleLog.takeResponse(from: &ctx.log)
            if case .waitForBody(let time) = outcome { return waitForResponseBody(s, ctx, time: time, set: i) }
            if case .respond(let bytes, let close) = outcome {
                s.record.deniedResponse = ctx.denied
                s.record.terminate(.proxy, .headers)
                leaveBackend(s, reusable: false)
                respondHTTP(s, bytes: bytes, close: close || !s.http.exchange.keepClient)
                return .done
            }
        }
        s.http.responseRuleDeadline = 0
        s.http.response = ctx.response ?? s.http.response
        if ctx.cache.store != nil || !ctx.cache.invalidate.isEmpty { noteCacheStore(s, ctx.cache) }
        return nil
    }

    /// After the response rules: persistence cookies, http-after-response,
    /// compression, then the head goes out.
    func responseRulesDone(_ s: Stream) -> AnalyserStep {
        if s.backend >= 0 {
            let be = backends[s.backend]
            if let cookie = be.config.http.cookie, s.serverIndex >= 0 {
                s.http.serverCookie = CookiePersistence.editResponse(cookie, serverCookie: be.serverCookies[s.serverIndex],
                                               requestHadValidCookie: s.http.cookieState.server == s.serverIndex || s.http.skipsCookieInsert,
                                               response: &s.http.response, requestMethod: String(decoding: s.http.exchange.method, as: UTF8.self),
                                               now: Int(wallNow), request: s.http.cookieState)
            }
        }
        afterResponse(s, response: &s.http.response)
        if let choice = s.http.compressionChoice, s.http.response.status != 101 { startCompression(s, choice: choice, response: &s.http.response) }
        s.http.exchange.finishResponseHead(&s.http.response)
        appendHead(&s.http.response, to: &s.response.buffer)
        s.record.responseBytes = HTTPMessageSize.htx(ofHead: &s.http.response)
        s.http.responseReady = true
        if s.http.exchange.phase == .tunnel {
            // A tunnel: whatever followed the heads already belongs to it,
            // and the stream goes on at L4.
            s.response.buffer.take(s.http.fromServer.count, from: &s.http.fromServer, pool: buffers)
            s.request.buffer.take(s.http.fromClient.count, from: &s.http.fromClient, pool: buffers)
            s.http.fromServer.release(to: buffers)
            s.http.fromClient.release(to: buffers)
            s.phase = .forwarding
            forwardBoth(s)
        }
        return .progress
    }
}
