import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix
import FulcrumTLS

/// The worker's streams and everything they share: the slot table, the
/// backends with their queues, the buffer, head and pipe pools, idle server
/// connections; registrations and timers go through the worker's EventLoop. mode tcp and mode http run through the same
/// start, connect, retry, queue, timeout and close paths; HTTP adds its
/// analysers (HTTP/) on top of them.
final class StreamEngine {
    /// The kinds of the worker's event tokens (`EventToken.kind`): a stream's
    /// client and server sides (index = stream slot, with its generation), an
    /// idle pooled server connection (index = server table line), a listener
    /// (index = listener), the control channel, a log target's socket
    /// (index = its sender).
    enum TokenKind: UInt8 {
        case client = 0, server = 1, pooled = 2, listener = 3, control = 4, log = 5
    }

    /// A class, so `let fe = frontends[i]` on the request path is one
    /// reference, not a copy of the frontend's whole configuration.
    final class FrontendRuntime {
        let config: Frontend
        let backend: Int?
        let maxconn: Int
        /// mode http: the keep-alive policy of its `option http-*` mode.
        let httpPolicy: HTTPExchange.Policy
        /// The head limits of its requests (`tune.bufsize` - `tune.maxrewrite`,
        /// `tune.http.maxhdr`, `option accept-invalid-http-request`), fixed per generation.
        let requestLimits: HTTPLimits

        init(config: Frontend, backend: Int?, maxconn: Int, httpPolicy: HTTPExchange.Policy, requestLimits: HTTPLimits) {
            self.config = config
            self.backend = backend
            self.maxconn = maxconn
            self.httpPolicy = httpPolicy
            self.requestLimits = requestLimits
        }
    }

    let configuration: Configuration
    /// `tune.rcvbuf.server` / `tune.sndbuf.server`, read once: every server
    /// connection sets them, and reading them through `configuration.global`
    /// would copy the whole global settings each time.
    let serverSocketBuffers: (receive: Int?, send: Int?)
    /// The head limits of responses (`tune.bufsize` - `tune.maxrewrite`,
    /// `tune.http.maxhdr`), read once for the same reason.
    let responseLimits: HTTPLimits
    let slot: Int
    let table: SharedTable
    /// The worker's loop: registrations, timers and the turn's clock.
    let loop: EventLoop
    var frontends: [FrontendRuntime] = []
    var backends: [BackendRuntime] = []
    var backendIndexByName: [String: Int] = [:]

    var streams = StreamTable()
    var activeStreams = 0
    var queuedStreams = 0
    /// Streams that yielded with work left, run again next loop turn.
    var pending: [EventToken] = []

    /// Idle keep-alive server connections per server table line (mode http).
    var idleServers: [[Transport]] = []
    /// `errorfile` contents per frontend and per backend: status → response bytes.
    var errorFiles: [[Int: [UInt8]]] = []
    var backendErrorFiles: [[Int: [UInt8]]] = []
    var frontendRules: [HTTPCompiledRules?] = []
    /// The stick tables every worker counts into (nil: none configured).
    let stickTables: StickTableSet?
    let backendStickRules: [StickCompiledRules?]
    var backendRules: [HTTPCompiledRules?] = []
    var frontendTCPRules: [TCPCompiledRules?] = []
    var backendTCPRules: [TCPCompiledRules?] = []
    /// Per backend: `tcp-response content` rules holding the server's first bytes.
    var backendTCPResponseRules: [TCPCompiledRules?] = []
    /// Per frontend: its `tcp-request connection` rules (nil: none).
    var frontendConnectionRules: [TCPConnectionCompiledRules?] = []
    /// Per frontend: its `tcp-request session` rules (nil: none).
    var frontendSessionRules: [TCPConnectionCompiledRules?] = []
    /// Per backend: its `use-server` / `force-persist` / `ignore-persist` rules (nil: none).
    var backendServerRules: [ServerRulesCompiled?] = []
    /// Per frontend: its capture slots for the capture.*.hdr fetches (nil: none).
    var frontendCaptureSlots: [HeaderCaptureSlots?] = []
    /// Per bind line (the table's numbering): what accepting on it needs.
    var bindLines: [BindRuntime] = []
    /// Per server table line: `send-proxy[-v2]` (its connections are not pooled).
    var serverSendsProxy: [Bool] = []
    /// Where a PROXY header to a server is written (one, reused).
    let proxyLine = UnsafeMutableRawBufferPointer.allocate(byteCount: ProxyProtocolEncoder.maximumLength, alignment: 8)
    /// TCP content inspection copies what a stream received here for its
    /// fetches (reused: no allocation per stream), and gives rules this
    /// head where an HTTP one is expected.
    var inspectScratch: [UInt8] = []
    let noHead = HTTPHead(kind: .request, reserving: false)
    /// Local services (the stats page), see HTTPService.
    let services: HTTPServices
    /// The frontends' log lines and targets; nil when no frontend logs.
    let logger: StreamLogger?
    /// Per bind line: its TLS contexts when it speaks TLS.
    let bindTLS: [TLSBindContexts?]
    /// Per server (table line): its TLS when it is spoken to over TLS.
    /// By server table line; a dynamic server's is built when its slot is read.
    var serverTLS: [TLSServerContext?]
    /// The worker's log targets (the stream lines' when the frontends log,
    /// and admin events of the stats page to the backends' targets).
    let logOutput: LogOutput

    /// `show errors`: the last invalid request / response per proxy (StreamEngine+ErrorSnapshots).
    var errorSnapshots: [ErrorSnapshot] = []
    var chunkScratch: [UInt8] = []
    /// The re-chunked size line, reused so no chunk allocates one.
    var chunkSizeLine: [UInt8] = []
    /// The `cache` sections' shared memory, and the reused storage a hit is
    /// copied into and answered from (HTTPCache.swift).
    let httpCaches: HTTPCacheRegion?
    var cacheScratch: [UInt8] = []
    var cacheAnswer: [UInt8] = []

    /// Monotonic milliseconds of this loop turn.
    var now: Int64 { loop.now }
    /// Wall-clock seconds of this loop turn (lastsess, stats).
    var wallNow: UInt64 { UInt64(loop.wallSeconds) }
    /// Streams and exchanges started so far: the next one's `%rt`.
    var exchangesStarted = 0
    var draining = false
    var drainStartedAt: Int64 = 0
    /// A draining worker closes a keep-alive connection idle this long.
    let drainIdleGrace: Int64 = 1000

    /// `tune.bufsize` buffers, taken when bytes arrive and given back when drained.
    let buffers: BufferPool
    /// Message head storage, lent for the length of an exchange.
    var heads = HeadPool()
    /// L4 forwarding reads here and writes straight on; only what the
    /// destination refuses is copied into a pooled buffer.
    let scratch: UnsafeMutableRawPointer
    var bufferSize: Int { buffers.size }
    var pipePool: [Pipe] = []
    var pipesInUse = 0
    let maxPipes = 1024
    let spliceChunk = 65536
    /// `tune.recv_enough`: a short read this large ends a read run; a smaller
    /// one reads again (0, the default: any short read ends it).
    let recvEnough: Int

    init(_ setup: WorkerSetup, loop: EventLoop) {
        configuration = setup.configuration
        serverSocketBuffers = (setup.configuration.global.serverReceiveBuffer, setup.configuration.global.serverSendBuffer)
        responseLimits = HTTPLimits(maxHeadSize: setup.configuration.global.bufferSize - setup.configuration.global.maxRewrite,
                                    maxFields: setup.configuration.global.maxHeaders, acceptInvalid: false)
        slot = setup.slot
        table = setup.table
        self.loop = loop
        buffers = BufferPool(size: setup.configuration.global.bufferSize)
        recvEnough = setup.configuration.global.recvEnough ?? 0
        scratch = UnsafeMutableRawPointer.allocate(byteCount: buffers.size, alignment: 64)

        let index = TableIndex(configuration)
        for (i, b) in configuration.backends.enumerated() {
            backends.append(BackendRuntime(index: i, config: b, firstLine: index.firstServer[i],
                                           addresses: setup.serverAddresses[i], spares: index.spareServers[i]))
            backendIndexByName[b.name] = i
        }
        idleServers = Array(repeating: [], count: index.serverCount)
        serverSendsProxy = Array(repeating: false, count: index.serverCount)
        for b in backends { for e in b.servers where e.sendProxy != 0 { serverSendsProxy[e.tableLine] = true } }
        errorFiles = setup.errorFiles
        backendErrorFiles = setup.backendErrorFiles
        frontendRules = setup.frontendRules
        stickTables = setup.stickTables
        backendStickRules = setup.backendStickRules
        services = HTTPServices(setup.configuration)
        httpCaches = setup.httpCaches
        backendRules = setup.backendRules
        frontendTCPRules = setup.frontendTCPRules
        backendTCPRules = setup.backendTCPRules
        backendTCPResponseRules = setup.backendTCPResponseRules
        frontendConnectionRules = setup.frontendConnectionRules
        frontendSessionRules = setup.frontendSessionRules
        backendServerRules = setup.backendServerRules
        frontendCaptureSlots = setup.configuration.frontends.map { f in
            f.logging.captures.request.isEmpty && f.logging.captures.response.isEmpty ? nil : HeaderCaptureSlots(f.logging.captures)
        }
        bindLines = BindRuntime.all(setup.configuration)
        inspectScratch.reserveCapacity(buffers.size)
        let output = LogOutput(loop: loop, kind: TokenKind.log.rawValue, global: setup.configuration.global,
                               rings: setup.configuration.rings)
        var echo: [LogTarget] = []
        if setup.logLinesToStderr {
            var stderr = LogTarget(location: SourceLocation(file: "-d", line: 0), address: .fd(2), facility: .local0)
            stderr.format = .raw
            echo.append(stderr)
        }
        logOutput = output
        bindTLS = setup.bindTLS
        serverTLS = setup.serverTLS
        let logger = StreamLogger(output: output, configuration: setup.configuration, lines: setup.frontendLogs, echo: echo)
        self.logger = logger.frontends.contains { $0 != nil } ? logger : nil
        for f in configuration.frontends {
            let be = f.defaultBackend.flatMap { backendIndexByName[$0] }
            let policy = HTTPExchange.Policy(serverKeepAlive: f.http.connectionMode == .keepAlive,
                                             clientKeepAlive: f.http.connectionMode != .close)
            let g = configuration.global
            let limits = HTTPLimits(maxHeadSize: g.bufferSize - g.maxRewrite, maxFields: g.maxHeaders,
                                    acceptInvalid: f.http.acceptInvalidRequest)
            frontends.append(FrontendRuntime(config: f, backend: be, maxconn: f.maxconn ?? 0, httpPolicy: policy,
                                             requestLimits: limits))
        }
        // `add server ... ssl`: the context comes from the same files the master checked were loaded.
        for be in backends {
            be.serverDefined = { [unowned self] line, server in
                guard line < self.serverTLS.count else { return }
                self.serverTLS[line] = server.params.tls.enabled
                    ? try? TLSServerContext(server, global: self.configuration.global.tls) : nil
            }
        }
    }

    deinit {
        scratch.deallocate()
        proxyLine.deallocate()
        for p in pipePool { p.close() }
    }

    // MARK: slots

    @inline(__always)
    func stream(for token: EventToken) -> Stream? {
        streams.stream(slot: token.index, generation: token.generation)
    }

    // MARK: events

    /// Readiness of a stream's socket, or of an idle pooled server connection.
    @inline(__always)
    func handle(token: EventToken, kind: TokenKind, events: Epoll.Events) {
        if kind == .pooled { pooledEvent(token: token); return }
        guard let s = stream(for: token) else { return }
        let readable = !events.isDisjoint(with: [.readable, .readHangup, .error, .hangup])
        let writable = !events.isDisjoint(with: [.writable, .error, .hangup])
        let eof = !events.isDisjoint(with: [.readHangup, .hangup, .error])
        if kind == .client {
            if readable { s.client.readable = true }
            if writable { s.client.writable = true }
            if eof {
                s.client.eof = true
                if abandonClosedClient(s) { return }
            }
            // mode tcp: a client gone before the server answered aborts the stream.
            if !s.isHTTP && !events.isDisjoint(with: [.error, .hangup]) && s.phase != .forwarding {
                s.record.terminate(.clientAbort, phaseLetter(s))
                close(s, abort: true)
                return
            }
        } else {
            if readable { s.server.readable = true }
            if writable { s.server.writable = true }
            if eof { s.server.eof = true }
            if !events.isDisjoint(with: [.error, .hangup]) { s.server.failed = true }
        }
        advance(s)
    }

    /// Moves a stream forward as far as readiness allows.
    @inline(__always)
    func advance(_ s: Stream) {
        if s.phase == .proxyHeader { readProxyHeader(s); if s.phase == .proxyHeader || s.phase == .idle { return } }
        if s.phase == .handshake { continueHandshake(s); if s.phase == .handshake || s.phase == .idle { return } }
        if s.isHTTP { advanceHTTP(s); return }
        switch s.phase {
        case .inspecting:
            inspect(s)
        case .connecting:
            advanceConnect(s)
        case .forwarding:
            forwardBoth(s)
        default:
            break
        }
    }

    /// Runs the stream again next loop turn: edge-triggered epoll will not
    /// report readiness it already reported.
    func runNextTurn(_ s: Stream) {
        guard !s.pendingRun else { return }
        s.pendingRun = true
        pending.append(s.token(.client))
    }

    /// Streams that ran out of rounds with work left (fairness between streams).
    func runPending() {
        let tokens = pending
        pending.removeAll(keepingCapacity: true)
        for t in tokens {
            guard let s = stream(for: t) else { continue }
            s.pendingRun = false
            advance(s)
        }
    }

    // MARK: start and close

    /// A client connection accepted on a listener of `frontend`.
    func start(client fd: FileDescriptor, peer: SocketAddress, frontend: Int, bindLine: Int) {
        let s = streams.allocate()
        let fe = frontends[frontend]
        s.client.attach(.plain(fd))
        s.client.activity = now
        s.peer = peer
        s.frontend = frontend
        s.bindLine = bindLine
        s.isHTTP = fe.config.mode == .http
        s.continuousStats = fe.config.connection.continuousStats
        s.record.restart(at: now, wallMicros: WallClock.nowMicroseconds())
        activeStreams += 1
        var expectProxy = bindLine < bindLines.count && bindLines[bindLine].acceptProxy
        if let rules = frontendConnectionRules[frontend] {
            let verdict = runLayerRules(s, rules, expectProxy: &expectProxy)
            if verdict != .accept { refuseConnection(s, verdict); return }
        }
        s.record.number = exchangesStarted
        exchangesStarted &+= 1
        // TCP_NODELAY comes from the listener (Worker.run sets it there).
        let ka = fe.config.connection.clientKeepAlive
        if ka.enabled { Socket.setKeepAlive(fd, idle: ka.idle, interval: ka.interval, count: ka.count) }
        countAccepted(frontend: frontend, bindLine: bindLine, http: s.isHTTP)
        do {
            try loop.register(fd, [.readable, .writable, .readHangup, .edgeTriggered], s.token(.client))
        } catch {
            s.record.terminate(.resource, .request)
            close(s, abort: true)
            return
        }
        if expectProxy {
            awaitClient(s, in: .proxyHeader)
            return
        }
        afterAccept(s)
    }

    /// The client must go on (a PROXY header, a TLS handshake) within
    /// `timeout client`.
    private func awaitClient(_ s: Stream, in phase: StreamPhase) {
        s.phase = phase
        s.phaseDeadline = frontends[s.frontend].config.timeouts.client.map { now + Int64($0) } ?? 0
        schedule(s)
    }

    /// What follows the accept and the PROXY header: the legacy connect
    /// line, then the TLS handshake (`bind ... ssl`) or the protocol.
    func afterAccept(_ s: Stream) {
        if logger != nil { logAccept(s) }
        if s.bindLine < bindTLS.count, let tls = bindTLS[s.bindLine] {
            let fd = s.client.transport.fd
            // After a PROXY header the ClientHello may be waiting already:
            // its edge was seen, keep it.
            let (readable, writable, eof) = (s.client.readable, s.client.writable, s.client.eof)
            do {
                s.client.attach(.tls(try TLSConnection(fd: fd, context: tls.defaultContext)))
                s.client.readable = readable; s.client.writable = writable; s.client.eof = eof
            } catch {
                s.record.terminate(.resource, .request)
                close(s, abort: true)
                return
            }
            awaitClient(s, in: .handshake)
            return
        }
        startProtocol(s)
    }

    /// `bind ... ssl`: drives the client's handshake; once done, the stream
    /// starts as a plain one would.
    func continueHandshake(_ s: Stream) {
        guard case .tls(let c) = s.client.transport else { return }
        do {
            guard try c.handshake() else { return }
        } catch {
            if error == .again {
                if c.wants == .write { s.client.writable = false } else { s.client.readable = false }
                schedule(s)
                return
            }
            Log.debug("TLS handshake failed: \(c.failure.map { "\($0)" } ?? "\(error)")")
            s.record.terminate(.clientAbort, .request)
            close(s, abort: true)
            return
        }
        s.phaseDeadline = 0
        s.client.activity = now
        if let info = c.handshakeInfo { s.tls = TLSFacts(info) }
        startProtocol(s)
    }

    /// What follows the accept (and the TLS handshake): mode http waits for a
    /// request; mode tcp picks its backend's server.
    func startProtocol(_ s: Stream) {
        let fe = frontends[s.frontend]
        if let rules = frontendSessionRules[s.frontend] {
            var unused = false
            let verdict = runLayerRules(s, rules, expectProxy: &unused)
            if verdict != .accept { refuseSession(s, verdict); return }
        }
        // The session's stick counters count it once its rules let it in (session_count_new).
        s.stick?.countSession()
        countSession(s)
        if s.isHTTP {
            s.phase = .request
            s.http.exchange.reset(policy: fe.httpPolicy)
            s.headStarted = now
            schedule(s)
            return
        }
        s.phase = .starting
        if let rules = frontendTCPRules[s.frontend], rules.inspects {
            beginInspection(s, rules)
            return
        }
        routeTCP(s)
    }

    /// The stream is counted in backend `be` until it leaves it.
    func enter(_ s: Stream, backend be: Int) {
        s.backend = be
        s.routedBackend = be
        s.backendBytesMark = (s.bytesIn, s.bytesOut)
        countBackendSession(be)
        table.backend(be, .conns).add(1)
        table.backend(be, .maxConns).raise(to: table.backend(be, .conns).load())
    }

    /// Ends the stream's use of its backend: its server connection goes back
    /// to the idle pool (when `reusable`) or is closed, then the counts drop.
    func leaveBackend(_ s: Stream, reusable: Bool) {
        leaveQueue(s)
        dropServer(s, reusable: reusable)
        if s.backend >= 0 {
            table.backend(s.backend, .conns).subtract(1)
            if !s.isHTTP {   // mode http counts its exchanges' bytes (countEnd)
                table.backendCounter(worker: slot, backend: s.backend, .bytesIn).bump(by: s.bytesIn &- s.backendBytesMark.in)
                table.backendCounter(worker: slot, backend: s.backend, .bytesOut).bump(by: s.bytesOut &- s.backendBytesMark.out)
            }
            table.backendCounter(worker: slot, backend: s.backend, .current).drop()
            let be = s.backend
            s.backend = -1
            if !backends[be].queue.isEmpty { serveQueue(backends[be]) }
        }
        s.backend = -1
        s.serverIndex = -1
    }

    /// Closes both sides, returns the buffers and the slot. `abort` resets the
    /// client connection instead of a clean FIN.
    func close(_ s: Stream, abort: Bool) {
        guard s.phase != .idle else { return }
        releaseAttached(s)
        leaveBackend(s, reusable: false)
        // `option nolinger`: an RST instead of a FIN, nothing left lingering.
        s.client.close(abort: abort || frontends[s.frontend].config.connection.noLinger)
        release(&s.request)
        release(&s.response)
        if let http = s.lentHTTP { // none lent while a keep-alive connection idles
            http.fromClient.release(to: buffers)
            http.fromServer.release(to: buffers)
        }
        s.record.ended = now
        countEnd(s)
        s.stick?.endSession()
        if logger != nil { logEnd(s) }
        releaseHeads(s)
        table.bindCounter(worker: slot, bind: s.bindLine, .current).drop()
        table.frontendCounter(worker: slot, frontend: s.frontend, .current).drop()
        if !s.isHTTP {
            let bytesIn = s.bytesIn &- s.countedBytes.in, bytesOut = s.bytesOut &- s.countedBytes.out
            table.frontendCounter(worker: slot, frontend: s.frontend, .bytesIn).bump(by: bytesIn)
            table.frontendCounter(worker: slot, frontend: s.frontend, .bytesOut).bump(by: bytesOut)
            table.bindCounter(worker: slot, bind: s.bindLine, .bytesIn).bump(by: bytesIn)
            table.bindCounter(worker: slot, bind: s.bindLine, .bytesOut).bump(by: bytesOut)
        } else {
            table.frontendCounter(worker: slot, frontend: s.frontend, .h1BytesIn).bump(by: s.bytesIn)
            table.frontendCounter(worker: slot, frontend: s.frontend, .h1BytesOut).bump(by: s.bytesOut)
        }
        freeStream(s)
    }

    /// The end every stream comes to, closed or refused at accept: out of the
    /// global, frontend and listener connection counts, its slot free again.
    func freeStream(_ s: Stream) {
        table.header(.globalConns).subtract(1)
        table.frontend(s.frontend, .conns).subtract(1)
        table.bind(s.bindLine, .conns).subtract(1)
        s.reset()
        streams.free(s)
        activeStreams -= 1
    }

    /// Returns a flow's buffer and pipe. A pipe still holding data is closed,
    /// since its contents belong to a dead stream.
    func release(_ f: inout Flow) {
        f.buffer.release(to: buffers)
        if let p = f.pipe {
            pipesInUse -= 1
            if f.inPipe == 0 && pipePool.count < 64 { pipePool.append(p) } else { p.close() }
            f.pipe = nil
            f.inPipe = 0
        }
    }

    /// Gives the heads' storage back to the pool (exchange over).
    func releaseHeads(_ s: Stream) {
        guard let http = s.lentHTTP else { return }
        heads.give(&http.requestBox)
        heads.give(&http.responseBox)
    }

    /// The address the client connected to, asked of the kernel once.
    func localAddress(_ s: Stream) -> SocketAddress {
        if let l = s.local { return l }
        let l = Socket.localAddress(s.client.transport.fd) ?? s.peer
        s.local = l
        return l
    }

    /// The phase letter of HAProxy's termination state for where `s` is now.
    func phaseLetter(_ s: Stream) -> TerminationPhase {
        switch s.phase {
        case .idle, .proxyHeader, .handshake, .starting, .inspecting, .request: return .request
        case .queued: return .queue
        case .connecting, .retryWait: return .connect
        case .exchange: return s.http.responseReady ? .data : .headers
        case .forwarding: return .data
        case .responding, .lingering: return .last
        case .tarpit: return .tarpit
        }
    }

    /// Gives idle memory back after load went away: stream objects and pool
    /// buffers beyond what the recent peak needs, then the heap's free pages.
    /// The heap is trimmed only once a megabyte or more went back: under a
    /// steady load a few objects come and go every second, and walking the
    /// heap for them would stall the loop once a second for nothing.
    func shrink() {
        let streamsReleased = streams.shrink()
        let headsReleased = heads.shrink()
        let transactionsReleased = streams.transactions.shrink()
        let buffersReleased = buffers.shrink()
        logger?.output.refreshClock()
        loop.compactTimers()
        let released = streamsReleased * Self.streamFootprint + headsReleased * Self.headFootprint
            + transactionsReleased * Self.transactionFootprint
            + buffersReleased * buffers.size
        if released >= Self.trimThreshold { HeapMemory.trim() }
    }

    /// Rough sizes of what `shrink` lets go of (a stream slot, 632 bytes,
    /// counted with what its connection left freed in the heap: the lent
    /// transaction and heads went back to their pools long before, and an
    /// idle connection's close lends and frees one again; an HTTP
    /// transaction; a head with its reserved arrays), and what is worth a
    /// malloc_trim (2,000 idle connections over two workers closing stay 17%
    /// above idle PSS when their streams count 1 KB, 2% at 2 KB).
    static let streamFootprint = 2048
    static let transactionFootprint = 1024
    static let headFootprint = 1024
    static let trimThreshold = 1 << 20

    // MARK: drain

    /// Keep-alive HTTP connections answer their next request with
    /// Connection: close; one that stays idle for the grace period is closed
    /// then, when no request can be in flight on it (see `deadline(of:)`).
    func startDrain() {
        draining = true
        drainStartedAt = MonotonicClock.nowMilliseconds()
        streams.forEachLive { s in if s.phase == .request { schedule(s) } }
    }
}
