import FulcrumPosix

/// One direction of a stream: bytes read from one side and not yet written to
/// the other, in a pooled buffer or in a pipe (splice path). In mode http the
/// analysers put what goes out (rewritten heads, re-chunked bodies) in
/// `buffer`, so a tunnel continues from there at L4.
struct Flow {
    var buffer = ByteBuffer()
    var pipe: Pipe? = nil
    var inPipe = 0
    /// The source sent FIN (or failed); nothing more will be read.
    var sourceClosed = false
    /// FIN was forwarded to the destination.
    var shutdownSent = false
    /// Switched to splice after a read filled the whole buffer.
    var bulk = false

    var pending: Int { buffer.count + inPipe }
    var finished: Bool { sourceClosed && shutdownSent }
}
