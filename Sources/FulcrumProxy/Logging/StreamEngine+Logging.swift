import FulcrumCore
import FulcrumHTTP
import FulcrumLog
import FulcrumPosix

/// The stream's log line: filled from its record, counters and heads when an
/// exchange (mode http) or the stream (mode tcp) ends, with HAProxy's rules
/// for what is not logged (an idle keep-alive end, `dontlognull`,
/// `dontlog-normal`) and at which level (`log-separate-errors`).
extension StreamEngine {
    /// The legacy "Connect from" line (no format chosen), at accept.
    func logAccept(_ s: Stream) {
        guard let logger, let fe = logger.frontends[s.frontend], fe.line.format.logsAtAccept,
              !fe.destinations.isEmpty, !fe.options.dontLogNull else { return }
        var r = identity(s, fe, logger)
        emit(&r, s, fe, logger, level: .info, context: nil)
    }

    /// The end of an exchange (mode http, before its heads are given back) or
    /// of the stream (mode tcp, and mode http at close).
    func logEnd(_ s: Stream) {
        guard let logger, let fe = logger.frontends[s.frontend], !fe.line.format.logsAtAccept,
              !fe.destinations.isEmpty, !s.record.logged else { return }
        s.record.logged = true
        let rec = s.record
        let bytesIn = s.bytesIn &- rec.bytesInMark
        // A keep-alive connection closed between requests: nothing to log.
        if s.isHTTP && rec.isFollowUp && bytesIn == 0 && rec.requestComplete == 0 { return }
        if isIgnoredProbe(s) { return }
        if fe.options.dontLogNull && bytesIn == 0 { return }
        // What set-log-level chose (http-request/response, tcp-response): read
        // from a lent transaction only, so a mode tcp line lends none.
        let ruleLevel = s.lentHTTP?.ruleLog.level ?? .unchanged
        if ruleLevel == .silent { return }
        let parsed = s.isHTTP && rec.requestComplete != 0
        // HAProxy's status for the exchange (400/408 when no request came,
        // -1 when one was never answered), as the counters see it.
        let status = finalStatus(s)
        var cause = rec.cause, phase = rec.phase
        // A client that left without a request aborted.
        if s.isHTTP && !parsed && cause == .none { cause = .clientAbort; phase = .request }
        let error = cause != .none || status >= 500
        if fe.options.dontLogNormal && !error { return }
        let ended = rec.ended != 0 ? rec.ended : now

        var r = identity(s, fe, logger)
        // Set on entering a backend and kept after leaving it (both modes).
        let be = s.routedBackend
        r.backendName = be >= 0 ? logger.backendNames[be][...] : fe.name[...]
        if be >= 0, rec.server >= 0 {
            r.serverName = logger.serverNames[be][rec.server][...]
            let server = backends[be].servers[rec.server]
            let port = server.useClientPort ? localAddress(s).port : server.address.port
            // A unix server logs "unix:0", as HAProxy.
            r.server = server.address.isUnix ? .unix(listenerID: 0) : .ip(server.address.ipAddress, port: port)
            r.serverConnections = Int(table.server(server.tableLine, .conns).load())
        } else if s.isHTTP && s.http.servedFromCache {
            r.serverName = StreamEngine.cacheServerName[...]
        }
        r.activeConnections = Int(table.header(.globalConns).load())
        r.frontendConnections = Int(table.frontend(s.frontend, .conns).load())
        if be >= 0 { r.backendConnections = Int(table.backend(be, .conns).load()) }
        r.retries = s.retriesUsed
        r.redispatched = s.excludedServer != nil && rec.server >= 0 && rec.server != s.excludedServer
        r.backendQueue = rec.backendQueue

        func since(_ t: Int64) -> Int { t == 0 ? -1 : Int(t - rec.accepted) }
        r.idleMs = s.isHTTP && rec.requestStarted != 0 ? Int(rec.requestStarted - rec.accepted) : -1
        r.requestMs = s.isHTTP ? since(rec.requestComplete) : -1
        r.queueMs = since(rec.connectStarted)
        r.connectMs = since(rec.connected)
        r.dataMs = s.isHTTP ? since(rec.responseHeaders) : -1
        r.totalMs = Int(ended - rec.accepted)

        r.status = s.isHTTP ? status : 0
        if s.isHTTP {
            // HAProxy's %U/%B count messages in HTX terms (HTTPMessageSize).
            r.bytesIn = Int64(rec.requestBytes)
            r.bytesOut = Int64(rec.responseBytes)
        } else {
            r.bytesIn = Int64(bytesIn)
            r.bytesOut = Int64(s.bytesOut &- rec.bytesOutMark)
        }
        var termination = LogTerminationState(cause: cause, phase: phase)
        if s.isHTTP, be >= 0, backends[be].config.http.cookie != nil {
            let c = s.http.cookieState
            let designated: LogClientCookieState.CookieServer = c.server == nil ? .unknown : (c.server == rec.server ? .up : .down)
            termination.clientCookie = LogClientCookieState.of(cookiePresent: c.found, expired: c.expired, tooOld: c.old,
                                                               server: designated)
            termination.serverCookie = s.http.serverCookie ?? .noCookie
        }
        r.termination = termination

        var context: HTTPRuleContext? = nil
        if s.isHTTP {
            let answered = rec.responseHeaders != 0
            if parsed {
                r.requestLine = s.http.request.raw[s.http.request.part1.lowerBound..<s.http.request.part3.upperBound]
            }
            // Captures belong to a parsed request: a bad one logs none at all.
            if parsed && !fe.requestHeaders.isEmpty {
                StreamLogger.fill(&logger.requestCaptures, slots: fe.requestHeaders, head: s.http.request,
                                  rules: s.http.ruleLog.requestCaptures)
                r.requestCaptures = logger.requestCaptures
            }
            if parsed && !fe.responseHeaders.isEmpty {
                StreamLogger.fill(&logger.responseCaptures, slots: fe.responseHeaders, head: answered ? s.http.response : nil,
                                  rules: s.http.ruleLog.responseCaptures)
                r.responseCaptures = logger.responseCaptures
            }
            if let cookie = fe.cookie {
                if parsed { r.capturedRequestCookie = StreamLogger.requestCookie(s.http.request, prefix: cookie.name, length: cookie.length) }
                if answered { r.capturedResponseCookie = StreamLogger.responseCookie(s.http.response, prefix: cookie.name, length: cookie.length) }
            }
            if parsed && fe.line.readsExchange {
                context = HTTPRuleContext(request: s.http.request, response: answered ? s.http.response : nil,
                                          connection: connectionInfo(s))
                context?.variables = s.variables
                context?.stick = s.stick
            }
        }
        var level: LogLevel = fe.options.separateErrors && error ? .err : .info
        if case .level(let chosen) = ruleLevel { level = chosen }
        emit(&r, s, fe, logger, level: level, context: context)
        // The slices lent to the line must not outlive it: they hold the heads'
        // storage, which the next exchange reuses (a second owner would copy it).
        r = LogRecord()
        logger.requestCaptures.removeAll(keepingCapacity: true)
        logger.responseCaptures.removeAll(keepingCapacity: true)
    }

    /// Renders the line of the stream's frontend and hands it to its targets.
    /// The record is lent, not copied: a copy retains every slice it holds.
    private func emit(_ record: inout LogRecord, _ s: Stream, _ fe: StreamLogger.FrontendLog, _ logger: StreamLogger,
                      level: LogLevel, context: HTTPRuleContext?) {
        fe.lines += 1
        if !s.http.uniqueID.isEmpty {
            record.uniqueID = s.http.uniqueID[...]
        } else if let uid = fe.uniqueID {
            uid.render(record, context: context, dates: &logger.dates, into: &logger.uniqueID)
            record.uniqueID = logger.uniqueID[...]
        }
        fe.line.render(record, context: context, dates: &logger.dates, into: &logger.line)
        if let sd = fe.structuredData {
            sd.render(record, context: context, dates: &logger.dates, into: &logger.structuredData)
            logger.line.withUnsafeBytes { line in
                logger.structuredData.withUnsafeBytes { data in
                    logger.output.send(line, level: level, to: fe.destinations, wallMicros: WallClock.nowMicroseconds(),
                                       structuredData: data)
                }
            }
        } else {
            logger.line.withUnsafeBytes { line in
                logger.output.send(line, level: level, to: fe.destinations, wallMicros: WallClock.nowMicroseconds())
            }
        }
    }

    /// `unique-id-format` for a request whose head is complete, kept for the
    /// log line and added as `unique-id-header` when one is set.
    func assignUniqueID(_ s: Stream) {
        guard let logger, let fe = logger.frontends[s.frontend], let format = fe.uniqueID else { return }
        let r = identity(s, fe, logger)
        let context = fe.line.readsExchange || format.readsExchange
            ? HTTPRuleContext(request: s.http.request, connection: connectionInfo(s)) : nil
        format.render(r, context: context, into: &s.http.uniqueID)
        if let header = fe.uniqueIDHeader { s.http.request.add(name: header, value: s.http.uniqueID) }
    }

    /// What every record of the stream starts with: endpoints, names, the
    /// process, the exchange's number and date.
    private func identity(_ s: Stream, _ fe: StreamLogger.FrontendLog, _ logger: StreamLogger) -> LogRecord {
        var r = LogRecord()
        // A unix socket logs "unix" and its listener's id.
        let listenerID = s.bindLine < bindLines.count ? bindLines[s.bindLine].listenerID : 0
        r.client = s.peer.isUnix ? .unix(listenerID: listenerID) : .ip(s.peer.ipAddress, port: s.peer.port)
        if fe.needsLocalAddress {
            let local = localAddress(s)
            r.frontendAddress = local.isUnix ? .unix(listenerID: listenerID) : .ip(local.ipAddress, port: local.port)
        }
        r.frontendName = fe.name[...]
        r.isHTTP = s.isHTTP
        r.hostname = logger.hostname[...]
        r.pid = Int(logger.pid)
        r.requestCounter = s.record.number
        r.logCounter = fe.lines
        r.acceptDateMicros = Int64(s.record.acceptedWallMicros)
        r.utcOffsetSeconds = Int(logger.output.utcOffsetSeconds)
        return r
    }
}
