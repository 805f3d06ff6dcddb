import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// Answers the proxy gives itself (error pages, deny, redirect), and closing a
/// client connection without a reset destroying that answer.
extension StreamEngine {
    /// HAProxy keeps the client connection after its error pages except 400
    /// and 408 (and when the request body was not read: see respondHTTP(bytes:)).
    func respondHTTP(_ s: Stream, status: Int, close: Bool) {
        // HAProxy counts no bytes for its 400 and 408 to a request it never had.
        let counted = !(status == 400 || status == 408) || s.record.requestComplete != 0
        respondHTTP(s, bytes: errorPage(status, stream: s), close: close || status == 400 || status == 408, counted: counted)
    }

    /// `counted`: the answer counts in %B as HAProxy counts its generated
    /// answers (not the pages of a request the parser refused).
    func respondHTTP(_ s: Stream, bytes: [UInt8], close: Bool, counted: Bool = true) {
        let bytes = afterResponse(s, generated: bytes)
        leaveBackend(s, reusable: false)
        s.record.status = HTTPErrorPages.status(of: bytes) ?? s.record.status
        if counted { s.record.responseBytes = HTTPMessageSize.htx(ofMessage: bytes) }
        s.response.buffer.append(bytes, pool: buffers)
        s.http.exchange.answer(bytes, close: close)
        s.phase = .responding
        s.phaseDeadline = 0
        if !flushClient(s) { return }
        if s.response.buffer.isEmpty && s.http.exchange.closeAfterAnswer { lingerClose(s) }
    }

    /// Closing a socket with unread input makes the kernel send a reset,
    /// which can destroy the answer just sent. HAProxy's way: shut our side,
    /// drain what the client still sends for a moment, then close.
    func lingerClose(_ s: Stream) {
        s.client.transport.shutdownWrite()
        leaveBackend(s, reusable: false)
        // The exchange is over: its line goes out now, not when the client leaves.
        s.record.ended = now
        countEnd(s)
        if logger != nil { logEnd(s) }
        s.phase = .lingering
        s.phaseDeadline = now + 1000
        s.http.fromClient.release(to: buffers)
        if discardClient(s) { schedule(s) }
    }

    /// Drops client bytes (read into the scratch buffer); closes on EOF or
    /// error. False when closed.
    func discardClient(_ s: Stream) -> Bool {
        while s.client.readable {
            do {
                if try s.client.transport.receive(into: scratch, count: bufferSize) == 0 {
                    close(s, abort: false)
                    return false
                }
            } catch {
                if error == .again {
                    if s.client.transport.receiveWaitsForReadable { s.client.readable = false }
                    break
                } else { close(s, abort: false); return false }
            }
        }
        return true
    }

    /// The backend's `errorfile` (when a backend was chosen), else the
    /// frontend's, else HAProxy's default page.
    func errorPage(_ status: Int, stream s: Stream) -> [UInt8] {
        if s.routedBackend >= 0, s.routedBackend < backendErrorFiles.count,
           let custom = backendErrorFiles[s.routedBackend][status] { return custom }
        if s.frontend < errorFiles.count, let custom = errorFiles[s.frontend][status] { return custom }
        return HTTPErrorPages.response(status: status)
    }

    /// The head as it goes out: its received bytes when nothing changed,
    /// else serialized straight into the output buffer.
    /// `inout` though only read: a head reached through its box's addressor
    /// is copied when passed by value (see `HTTPExchange.requestHead`).
    func appendHead(_ head: inout HTTPHead, to out: inout ByteBuffer) {
        if head.isUnmodified {
            out.append(head.raw, pool: buffers)
            return
        }
        let size = head.serializedSize
        out.reserve(size, pool: buffers)
        out.commit(head.serialize(into: out.writableSpace(upTo: size, pool: buffers)))
    }
}
