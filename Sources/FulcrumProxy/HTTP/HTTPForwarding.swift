import FulcrumCompression
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// One request/response exchange once a server connection is there: the
/// request head and body go out, the response head is analysed, the body comes
/// back (re-chunked or compressed), then the connections are kept or closed.
extension StreamEngine {
    func startExchange(_ s: Stream) {
        s.phase = .exchange
        s.http.exchange.serverConnected()
        s.phaseDeadline = 0
        s.server.activity = now
        let comp = compressionConfig(s)
        if !comp.algorithms.isEmpty {
            let accept = s.http.request.values(of: "Accept-Encoding").map { String(decoding: $0, as: UTF8.self) }
            s.http.compressionChoice = CompressionNegotiation.negotiate(
                acceptEncoding: accept, configured: comp.algorithms.compactMap { CompressionAlgorithm(rawValue: $0.rawValue) },
                userAgent: s.http.request.value(of: "User-Agent"))
            apply(CompressionHeaderEdits.request(choice: s.http.compressionChoice, offload: comp.offload), to: &s.http.request)
        }
        if let header = backends[s.backend].config.http.sendNameHeader, s.serverIndex >= 0 {
            s.http.request.set(header, backends[s.backend].config.servers[s.serverIndex].name)
        }
        appendHead(&s.http.request, to: &s.request.buffer)
        s.record.requestBytes = HTTPMessageSize.htx(ofHead: &s.http.request)
        s.http.responseReady = false
    }

    /// One round of the exchange; true if anything moved.
    func exchange(_ s: Stream) -> Bool {
        var moved = false
        // Request body: client → server.
        if !s.http.exchange.requestBody.isDone {
            // One buffer's worth waits for a slow server at most (backpressure).
            if s.http.fromClient.isEmpty && s.client.readable && s.request.buffer.count < bufferSize {
                if !readClient(s) { return false }
            }
            if !s.http.fromClient.isEmpty {
                let before = s.http.fromClient.count
                if !forwardRequestBody(s) {
                    s.record.terminate(.proxy, .data)
                    respondHTTP(s, status: 400, close: true)
                    return false
                }
                moved = moved || s.http.fromClient.count != before
                s.http.fromClient.releaseIfEmpty(to: buffers)
            }
        }
        // Flush to the server.
        if !s.request.buffer.isEmpty && s.server.writable {
            do {
                // Likewise the client is not idle while a slow server reads its request.
                let sent = try s.server.transport.send(from: &s.request.buffer, pool: buffers,
                                                       more: !s.http.exchange.requestBody.isDone && !noDelay(s))
                if sent > 0 {
                    moved = true; s.client.activity = now
                    // `option independent-streams` (backend): writing to the server is not its activity.
                    if !backends[s.backend].config.connection.independentStreams { s.server.activity = now }
                    countServerBytes(s, .h1BytesOut, sent)
                }
            } catch {
                if error == .again { s.server.writable = false } else {
                    s.record.terminate(.serverAbort, phaseLetter(s))
                    serverFailed(s, status: 502)
                    return false
                }
            }
        }
        // Response: server → fromServer → client.
        // Read the server once what it sent before has gone to the client, so
        // a body moves buffer by buffer without a copy (ByteBuffer.take swaps).
        if !s.http.exchange.responseComplete && s.server.readable && s.response.buffer.isEmpty {
            do {
                let (n, filled) = try s.server.transport.receive(into: &s.http.fromServer, pool: buffers, limit: bufferSize)
                if n == 0 {
                    s.server.eof = true
                    if !s.http.responseReady && s.http.responseRuleWait == nil {
                        s.record.terminate(.serverAbort, .headers)
                        serverFailed(s, status: 502, retry: .emptyResponse)
                        return false
                    }
                    guard s.http.exchange.serverClosed() else {
                        s.record.terminate(.serverAbort, .data)
                        serverFailed(s, status: 502)
                        return false
                    }
                    moved = true
                    if s.http.compressing, let c = s.http.compressor {
                        chunkScratch.removeAll(keepingCapacity: true)
                        c.finish(into: &chunkScratch)
                        s.response.buffer.append(chunkScratch, pool: buffers)
                    }
                } else if n > 0 {
                    moved = true
                    countServerBytes(s, .h1BytesIn, n)
                    s.server.activity = now
                    if !filled && !s.server.eof { s.server.readable = false }
                }
            } catch {
                if error == .again { if s.server.transport.receiveWaitsForReadable { s.server.readable = false } } else {
                    s.record.terminate(.serverAbort, phaseLetter(s))
                    serverFailed(s, status: 502)
                    return false
                }
            }
        }
        while !s.http.responseReady && (!s.http.fromServer.isEmpty || s.http.responseRuleWait != nil) {
            switch analyseResponse(s) {
            case .wait: break
            case .progress: moved = true; continue
            case .done: return false
            }
            break
        }
        if s.phase == .forwarding { return true }
        if s.http.responseReady && !s.http.exchange.responseComplete && !s.http.fromServer.isEmpty {
            let before = s.http.fromServer.count
            let ok = s.http.compressing ? compressBody(s) : forwardResponseBody(s)
            if !ok {
                s.record.terminate(.serverAbort, .data)
                serverFailed(s, status: 502)
                return false
            }
            moved = moved || s.http.fromServer.count != before
        }
        s.http.fromServer.releaseIfEmpty(to: buffers)
        // Flush to the client; room made there lets the server side be read
        // again (edge-triggered: no new event would come for bytes already
        // waiting), so it counts as progress.
        // The whole response is captured: stored before its last bytes go
        // out, so a client that reads them and asks again (maybe from another
        // worker) finds it, as HAProxy's cache filter stores before forwarding.
        if s.http.cacheCapture != nil && s.http.exchange.responseComplete { commitCacheCapture(s) }
        let waiting = s.response.buffer.count
        if !flushClient(s, more: s.http.responseReady && !s.http.exchange.responseComplete && !noDelay(s)) { return false }
        if s.response.buffer.count < waiting {
            moved = true
            // The server is not idle while it waits for a slow client to read.
            s.server.activity = now
        }
        if s.http.exchange.responseComplete && s.response.buffer.isEmpty {
            finishExchange(s)
            return s.phase != .idle
        }
        return moved
    }

    /// Request body bytes, as the exchange's forwarder frames them. False on
    /// a broken chunk.
    func forwardRequestBody(_ s: Stream) -> Bool {
        chunkScratch.removeAll(keepingCapacity: true)
        guard case .success(let move) = s.http.exchange.forwardRequestBody(s.http.fromClient.readable, payload: &chunkScratch)
        else { return false }
        moveBody(move, from: &s.http.fromClient, to: &s.request.buffer,
                 chunked: s.http.exchange.requestBody.framing == .chunked, done: s.http.exchange.requestBody.isDone,
                 counted: &s.record.requestBytes)
        return true
    }

    func forwardResponseBody(_ s: Stream) -> Bool {
        chunkScratch.removeAll(keepingCapacity: true)
        guard case .success(let move) = s.http.exchange.forwardResponseBody(s.http.fromServer.readable, payload: &chunkScratch)
        else { return false }
        if s.http.cacheCapture != nil { captureCacheBody(s, move) }
        moveBody(move, from: &s.http.fromServer, to: &s.response.buffer,
                 chunked: s.http.exchange.responseBody.framing == .chunked, done: s.http.exchange.responseBody.isDone,
                 counted: &s.record.responseBytes)
        return true
    }

    /// Carries out a forwarder's move: unchanged bytes change buffers (without
    /// a copy when the destination is empty), a chunked payload decoded into
    /// `chunkScratch` goes out framed again.
    /// `counted` grows by the payload moved, as HAProxy counts bodies.
    private func moveBody(_ move: HTTPBodyForwarder.Move, from src: inout ByteBuffer, to dst: inout ByteBuffer,
                          chunked: Bool, done: Bool, counted: inout Int) {
        if move.passThrough > 0 { dst.take(move.passThrough, from: &src, pool: buffers) }
        src.consume(move.consumed - move.passThrough)
        counted += move.passThrough + (chunked ? chunkScratch.count : 0)
        if chunked && done { counted += HTTPMessageSize.chunkedEnd }
        if chunked {
            chunkScratch.withUnsafeBytes { payload in
                HTTPBodyForwarder.writeChunk(payload, last: done) { dst.append($0, pool: buffers) }
            }
        }
    }

    /// Sends pending bytes to the client; false when the stream was closed.
    /// `more`: the response has more to come (MSG_MORE, see `noDelay`).
    func flushClient(_ s: Stream, more: Bool = false) -> Bool {
        guard !s.response.buffer.isEmpty, s.client.writable else { return true }
        do {
            // HAProxy's bytes out (%B, stats): what the client was sent,
            // generated answers included.
            let sent = try s.client.transport.send(from: &s.response.buffer, pool: buffers, more: more)
            if sent > 0 { s.client.activity = now; s.bytesOut &+= UInt64(sent) }
        } catch {
            if error == .again { s.client.writable = false } else {
                s.record.terminate(.clientAbort, phaseLetter(s))
                close(s, abort: false)
                return false
            }
        }
        return true
    }

    /// `option http-no-delay` on the frontend or the backend: no part of a
    /// message is sent with MSG_MORE. Otherwise, as HAProxy does, a part sent
    /// while the message expects more (a body not complete yet) carries it.
    @inline(__always)
    func noDelay(_ s: Stream) -> Bool {
        frontends[s.frontend].config.connection.noDelay
            || (s.backend >= 0 && backends[s.backend].config.connection.noDelay)
    }

    /// The response went out: keep the server connection for the next request
    /// (or pool it), then wait for the next request or close.
    private func finishExchange(_ s: Stream) {
        let end = s.http.exchange.responseSent(serverClosed: s.server.eof)
        if end.reuseServer && !end.closeClient && s.server.isOpen && s.serverIndex >= 0 {
            // Keep the connection with the stream for its next request (as
            // HAProxy does); the server slot is free meanwhile.
            let attachedBackend = s.backend, attachedServer = s.serverIndex
            let kept = s.server
            s.server.detach()
            leaveBackend(s, reusable: false)
            s.server = kept
            s.serverConnected = true
            s.attachedBackend = attachedBackend
            s.attachedServer = attachedServer
        } else {
            leaveBackend(s, reusable: end.reuseServer)
        }
        // A draining worker said Connection: close on this response already
        // when it could; a response that went out before the drain keeps the
        // connection for one more request, answered with close.
        if end.closeClient {
            close(s, abort: false)
            return
        }
        nextExchange(s)
    }

    /// `observe layer7`: a 5xx, invalid or missing response is an error, a
    /// good one ends a run of errors (the checker acts at error-limit).
    func observeLayer7(_ s: Stream, ok: Bool) {
        guard s.backend >= 0, s.serverIndex >= 0, backends[s.backend].observesLayer7[s.serverIndex] else { return }
        let word = table.server(backends[s.backend].servers[s.serverIndex].tableLine, .observeErrors)
        if ok { if word.load() != 0 { word.store(0) } } else { word.add(1) }
    }

    /// The server failed before the response was complete.
    func serverFailed(_ s: Stream, status: Int, retry cause: RetryConditions.Cause? = nil) {
        if !s.http.responseReady { observeLayer7(s, ok: false) }
        if let cause, retryHTTP(s, cause) { return }
        if !s.http.responseReady {
            leaveBackend(s, reusable: false)
            respondHTTP(s, status: status, close: !s.http.exchange.keepClient)
        } else {
            // Part of the response already left: only closing tells the client.
            close(s, abort: false)
        }
    }

    /// `retry-on`: replays a request that can safely be replayed (fully sent,
    /// no body, nothing of the response forwarded yet) on a new connection,
    /// redispatching as `option redispatch` says. False when it cannot.
    func retryHTTP(_ s: Stream, _ cause: RetryConditions.Cause) -> Bool {
        guard s.backend >= 0, s.serverIndex >= 0, s.http.exchange.requestBody.framing == .none,
              s.response.buffer.isEmpty, !s.http.responseReady else { return false }
        let be = backends[s.backend]
        guard be.retryOn.covers(cause), s.retriesUsed < be.config.retries else { return false }
        _ = countRetry(s, be)
        dropServer(s, reusable: false)
        s.http.fromServer.release(to: buffers)
        s.request.buffer.release(to: buffers)
        s.http.responseReady = false
        s.http.exchange.serverLost()
        s.record.cause = .none
        s.record.phase = .none
        s.phase = .connecting
        dispatchOrQueue(s)
        return true
    }
}
