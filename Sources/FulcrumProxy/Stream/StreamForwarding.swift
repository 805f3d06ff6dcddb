import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Moving bytes between the two sides at L4 (mode tcp, and mode http tunnels):
/// read into the shared scratch buffer and write straight on; keep a pooled
/// buffer only for what the destination could not take; switch a direction to
/// splice(2) through a pipe once it carries bulk data (a read that fills the
/// buffer) and both transports allow it.
extension StreamEngine {
    /// Advances a forwarding stream after readiness changed.
    @inline(__always)
    func forwardBoth(_ s: Stream) {
        // `option nolinger`: a side whose other direction is done is closed
        // at once with an RST rather than shut with a FIN first (HAProxy's
        // full close of a connection with linger risk).
        let fe = frontends[s.frontend].config.connection
        let be = s.backend >= 0 ? backends[s.backend].config.connection : nil
        let up = forward(&s.request, from: s.client.transport, to: s.server.transport,
                         readable: &s.client.readable, writable: &s.server.writable, eofPending: s.client.eof,
                         closesAtOnce: s.response.finished && be?.noLinger == true,
                         spliceAlways: fe.spliceRequest || be?.spliceRequest == true)
        if up < 0 { failForwarding(s, clientSide: up == -1); return }
        if s.inspectingResponse && !inspectResponse(s) { return }
        let down = s.inspectingResponse ? 0 : forward(&s.response, from: s.server.transport, to: s.client.transport,
                           readable: &s.server.readable, writable: &s.client.writable, eofPending: s.server.eof,
                           closesAtOnce: s.request.finished && fe.noLinger,
                           spliceAlways: fe.spliceResponse || be?.spliceResponse == true)
        if down < 0 { failForwarding(s, clientSide: down == -2); return }
        if up > 0 {
            s.bytesIn &+= UInt64(up); s.client.activity = now
            // `option independent-streams` (backend): writing to the server is not its activity.
            if be?.independentStreams != true { s.server.activity = now }
        }
        if down > 0 { s.bytesOut &+= UInt64(down); s.client.activity = now; s.server.activity = now }
        if s.request.finished && s.response.finished {
            close(s, abort: false)
            return
        }
        schedule(s)
    }

    private func failForwarding(_ s: Stream, clientSide: Bool) {
        s.record.terminate(clientSide ? .clientAbort : .serverAbort, .data)
        close(s, abort: true)
    }

    /// Forwards one direction until the source is drained or the destination
    /// is full. Returns the bytes read from the source, -1 when the source
    /// failed, -2 when the destination failed.
    @inline(__always)
    func forward(_ f: inout Flow, from src: Transport, to dst: Transport,
                 readable: inout Bool, writable: inout Bool, eofPending: Bool, closesAtOnce: Bool = false,
                 spliceAlways: Bool = false) -> Int {
        var moved = 0
        while true {
            if f.inPipe > 0 {
                guard writable else { break }
                do {
                    f.inPipe -= try dst.splice(from: f.pipe!, count: f.inPipe)
                } catch {
                    if error == .again { writable = false; break }
                    return -2
                }
                continue
            }
            if !f.buffer.isEmpty {
                guard writable else { break }
                do {
                    _ = try dst.send(from: &f.buffer, pool: buffers)
                } catch {
                    if error == .again { writable = false; break }
                    return -2
                }
                continue
            }
            if f.sourceClosed {
                if !f.shutdownSent {
                    if !closesAtOnce { dst.shutdownWrite() }
                    f.shutdownSent = true
                }
                break
            }
            guard readable else { break }
            // `option splice-request|response`: from the first byte.
            if spliceAlways && f.pipe == nil && src.canSplice && dst.canSplice { startBulk(&f) }

            if f.bulk, let pipe = f.pipe {
                do {
                    let n = try src.splice(into: pipe, count: spliceChunk)
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
                n = try src.receive(into: scratch, count: bufferSize)
            } catch {
                if error == .again { if src.receiveWaitsForReadable { readable = false }; break }
                return -1
            }
            if n == 0 { f.sourceClosed = true; continue }
            moved += n
            // A short read drained the socket (edge-triggered epoll reports any
            // later arrival), unless a FIN is pending and must still be read,
            // or (`tune.recv_enough`) it was smaller than worth trusting.
            if n < bufferSize && n >= recvEnough && !eofPending { readable = false }
            if n == bufferSize && src.canSplice && dst.canSplice { startBulk(&f) }
            var off = 0
            while off < n && writable {
                do {
                    off += try dst.send(scratch + off, count: n - off)
                } catch {
                    if error == .again { writable = false; break }
                    return -2
                }
            }
            if off < n { f.buffer.append(UnsafeRawBufferPointer(start: scratch + off, count: n - off), pool: buffers) }
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
}
