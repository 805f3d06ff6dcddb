import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

extension StreamEngine {
    /// Parses the response head (1xx are forwarded and parsing goes on), runs
    /// http-response rules and persistence, and decides what the connections
    /// do after this response.
    func analyseResponse(_ s: Stream) -> AnalyserStep {
        let g = configuration.global
        let limits = HTTPLimits(maxHeadSize: g.bufferSize - g.maxRewrite, maxFields: g.maxHeaders, acceptInvalid: false)
        let outcome = s.http.fromServer.withReadable { HTTPParser.parseResponse($0, limits: limits) }
        switch outcome {
        case .incomplete:
            if s.http.fromServer.count >= limits.maxHeadSize {
                s.record.terminate(.proxy, .headers)
                serverFailed(s, status: 502)
                return .done
            }
            return .wait
        case .invalid:
            s.record.terminate(.proxy, .headers)
            serverFailed(s, status: 502, retryReason: "junk-response")
            return .done
        case .complete(var head, let length):
            s.http.fromServer.consume(length)
            s.http.fromServer.releaseIfEmpty(to: buffers)
            if head.status >= 100 && head.status < 200 && head.status != 101 {
                appendHead(head, to: &s.response.buffer)
                return .progress
            }
            switch HTTPFraming.response(head, requestMethod: s.http.requestMethod[...]) {
            case .failure:
                s.record.terminate(.proxy, .headers)
                serverFailed(s, status: 502)
                return .done
            case .success(let framing):
                s.http.responseFraming = framing
                if framing == .chunked { s.http.responseChunks = ChunkedBodyParser(errorStatus: 502) }
                if case .contentLength(let n) = framing { s.http.responseRemaining = n }
                s.http.responseDone = framing == .none
            }
            s.record.responseHeaders = now
            s.record.status = head.status
            observeLayer7(s, ok: head.status < 500)
            if retryHTTP(s, reason: String(head.status)) { return .done }
            if draining { s.http.keepClient = false }
            if !HTTPConnectionHeader.isKeepAlive(head)
                || s.http.responseFraming == .untilClose || frontends[s.frontend].config.http.connectionMode != .keepAlive {
                s.http.keepServer = false
            }
            if s.http.responseFraming == .untilClose && head.status != 101 { s.http.keepClient = false }
            if head.status == 101 { s.http.keepClient = false }
            head.remove("Connection")
            head.remove("Keep-Alive")
            // http-response rules (backend's, then frontend's), then persistence cookies.
            if let request = s.http.request, s.backend >= 0 {
                let fe = frontends[s.frontend].config
                let backendSet = configuration.backends[s.backend].name != fe.name ? backendRules[s.backend] : nil
                let frontendSet = frontendRules[s.frontend]
                if backendSet?.hasResponseRules == true || frontendSet?.hasResponseRules == true {
                    var ctx = HTTPRuleContext(request: request, response: head, connection: connectionInfo(s))
                    for rules in [backendSet, frontendSet] {
                        guard let rules, rules.hasResponseRules else { continue }
                        if case .respond(let bytes, let close) = HTTPRequestProcessing.response(rules, context: &ctx) {
                            s.http.keepServer = false
                            s.record.terminate(.proxy, .headers)
                            leaveBackend(s, reusable: false)
                            respondHTTP(s, bytes: bytes, close: close || !s.http.keepClient)
                            return .done
                        }
                    }
                    head = ctx.response ?? head
                }
                let be = backends[s.backend]
                if let cookie = be.config.http.cookie, s.serverIndex >= 0 {
                    CookiePersistence.editResponse(cookie, serverCookie: be.config.servers[s.serverIndex].params.cookie,
                                                   requestHadValidCookie: s.http.cookieState.server == s.serverIndex,
                                                   response: &head, requestMethod: String(decoding: s.http.requestMethod, as: UTF8.self),
                                                   now: Int(wallNow), request: s.http.cookieState)
                }
            }
            if let choice = s.http.compressionChoice, head.status != 101 { startCompression(s, choice: choice, response: &head) }
            if head.status == 101 {
                head.add("Connection", "upgrade")
            } else if !s.http.keepClient {
                head.add("Connection", "close")
            } else if s.http.request?.version == .http10 {
                head.add("Connection", "keep-alive")
            }
            appendHead(head, to: &s.response.buffer)
            s.http.response = head
            if head.status == 101 || (head.status / 100 == 2 && s.http.requestMethod.elementsEqual("CONNECT".utf8)) {
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
}
