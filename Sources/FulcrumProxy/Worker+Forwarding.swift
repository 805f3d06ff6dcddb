import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Moving bytes between the two sides of an established session: read into
/// the shared scratch buffer and write straight on; keep a pooled buffer only
/// for what the destination could not take; switch a direction to splice(2)
/// through a pipe once it carries bulk data (a read that fills the buffer).
extension Worker {
    /// Advances a session after readiness changed.
    @inline(__always)
    func process(_ s: TCPSession) {
        switch s.state {
        case .connecting:
            if s.serverWritable { finishConnect(s) }
        case .established:
            let up = forward(&s.toServer, from: s.client, to: s.server, readable: &s.clientReadable,
                             writable: &s.serverWritable, eofPending: s.clientEOFPending)
            if up < 0 { close(s, abort: true); return }
            let down = forward(&s.toClient, from: s.server, to: s.client, readable: &s.serverReadable,
                               writable: &s.clientWritable, eofPending: s.serverEOFPending)
            if down < 0 { close(s, abort: true); return }
            if up > 0 { s.bytesIn &+= UInt64(up); s.clientActivity = now; s.serverActivity = now }
            if down > 0 { s.bytesOut &+= UInt64(down); s.clientActivity = now; s.serverActivity = now }
            if s.toServer.finished && s.toClient.finished {
                close(s, abort: false)
                return
            }
            schedule(s)
        case .idle, .starting, .queued, .retryWait:
            break
        }
    }

    /// Forwards one direction until the source is drained or the destination
    /// is full. Returns the bytes read from the source, or -1 on a fatal error.
    @inline(__always)
    func forward(_ f: inout Flow, from src: FileDescriptor, to dst: FileDescriptor,
                 readable: inout Bool, writable: inout Bool, eofPending: Bool) -> Int {
        var moved = 0
        while true {
            if f.inPipe > 0 {
                guard writable else { break }
                do {
                    let n = try splice(from: f.pipe!.readEnd, to: dst, count: f.inPipe)
                    f.inPipe -= n
                } catch {
                    if error == .again { writable = false; break }
                    return -1
                }
                continue
            }
            if f.end > f.start {
                guard writable else { break }
                do {
                    let n = try Socket.send(dst, f.buffer! + f.start, count: f.end - f.start)
                    f.start += n
                    if f.start == f.end { bufferPool.append(f.buffer!); f.buffer = nil; f.start = 0; f.end = 0 }
                } catch {
                    if error == .again { writable = false; break }
                    return -1
                }
                continue
            }
            if f.sourceClosed {
                if !f.shutdownSent { Socket.shutdownWrite(dst); f.shutdownSent = true }
                break
            }
            guard readable else { break }

            if f.bulk, let pipe = f.pipe {
                do {
                    let n = try splice(from: src, to: pipe.writeEnd, count: spliceChunk)
                    if n == 0 { f.sourceClosed = true; continue }
                    f.inPipe += n
                    moved += n
                } catch {
                    if error == .again { readable = false; break }
                    if error.rawValue == EINVAL || error.rawValue == ENOSYS { f.bulk = false; continue }
                    return -1
                }
                continue
            }

            let n: Int
            do {
                n = try src.read(into: scratch, count: bufferSize)
            } catch {
                if error == .again { readable = false; break }
                return -1
            }
            if n == 0 { f.sourceClosed = true; continue }
            moved += n
            // A short read drained the socket (edge-triggered epoll reports any
            // later arrival), unless a FIN is pending and must still be read.
            if n < bufferSize && !eofPending { readable = false }
            if n == bufferSize { startBulk(&f) }
            var off = 0
            while off < n && writable {
                do {
                    off += try Socket.send(dst, scratch + off, count: n - off)
                } catch {
                    if error == .again { writable = false; break }
                    return -1
                }
            }
            if off < n {
                let b = bufferPool.popLast() ?? UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 64)
                b.copyMemory(from: scratch + off, byteCount: n - off)
                f.buffer = b; f.start = 0; f.end = n - off
            }
        }
        return moved
    }

    /// Gives the direction a pipe so further reads splice, if pipes remain.
    private func startBulk(_ f: inout Flow) {
        guard !f.bulk, pipesInUse < maxPipes else { return }
        let p: Pipe
        if let pooled = pipePool.popLast() { p = pooled }
        else if let fresh = try? Pipe.make() { p = fresh }
        else { return }
        pipesInUse += 1
        f.pipe = p
        f.bulk = true
    }

    /// Returns a flow's buffer and pipe. A pipe still holding data is closed,
    /// since its contents belong to a dead session.
    func release(_ f: inout Flow) {
        if let b = f.buffer { bufferPool.append(b); f.buffer = nil }
        if let p = f.pipe {
            pipesInUse -= 1
            if f.inPipe == 0 && pipePool.count < 64 { pipePool.append(p) } else { p.close() }
            f.pipe = nil
        }
    }

    // MARK: timers

    /// The session's next deadline: the phase deadline while waiting for a
    /// server, else the inactivity deadline of each side (HAProxy's timeout
    /// client/server, their -fin forms once a side is half-closed, or timeout
    /// tunnel for both sides when set).
    func deadline(of s: TCPSession) -> Int64 {
        switch s.state {
        case .idle, .starting: return 0
        case .queued, .connecting, .retryWait: return s.phaseDeadline
        case .established:
            let bt = backends[s.backend].config.timeouts
            if let tunnel = bt.tunnel { return max(s.clientActivity, s.serverActivity) + Int64(tunnel) }
            let ft = frontends[s.frontend].config.timeouts
            let clientHalfClosed = s.toServer.sourceClosed || s.toClient.shutdownSent
            let serverHalfClosed = s.toClient.sourceClosed || s.toServer.shutdownSent
            let c = clientHalfClosed ? ft.effectiveClientFin : ft.client
            let v = serverHalfClosed ? bt.effectiveServerFin : bt.server
            var d: Int64 = 0
            if let c { d = s.clientActivity + Int64(c) }
            if let v { let dv = s.serverActivity + Int64(v); d = d == 0 ? dv : min(d, dv) }
            return d
        }
    }

    /// Pushes a heap entry only when the deadline moved earlier than the one
    /// pending; later deadlines are found when the pending entry pops.
    @inline(__always)
    func schedule(_ s: TCPSession) {
        let d = deadline(of: s)
        if d != 0 && (s.scheduled == 0 || d < s.scheduled) {
            timers.push(d, s.token)
            s.scheduled = d
        }
    }

    func expireTimers() {
        while let e = timers.popDue(now: now) {
            if e.token & Worker.kindMask == TokenKind.httpClient.rawValue {
                guard let s = httpSession(for: e.token), s.scheduled == e.deadline else { continue }
                s.scheduled = 0
                let d = httpDeadline(s)
                if d == 0 { continue }
                if d > now { scheduleHTTP(s); continue }
                expireHTTP(s)
                continue
            }
            guard let s = session(for: e.token), s.scheduled == e.deadline else { continue }
            s.scheduled = 0
            let d = deadline(of: s)
            if d == 0 { continue }
            if d > now { schedule(s); continue }
            expire(s)
        }
    }

    private func expire(_ s: TCPSession) {
        switch s.state {
        case .queued:
            Log.debug("queue timeout in backend '\(backends[s.backend].config.name)'")
            close(s, abort: true)
        case .connecting:
            connectFailed(s, immediate: false)
        case .retryWait:
            if !connect(s, toServer: s.serverIndex) { enqueue(s) }
        case .established:
            close(s, abort: true)
        case .idle, .starting:
            break
        }
    }
}
