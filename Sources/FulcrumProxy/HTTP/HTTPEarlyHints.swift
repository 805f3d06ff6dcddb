import FulcrumCore

/// `http-request early-hint`: the rules' 103 responses go to the client as
/// soon as the rules have run, ahead of the server's answer (as HAProxy sends
/// each at its rule). False when the client went away while they were sent.
extension StreamEngine {
    func sendEarlyHints(_ s: Stream, _ bytes: [UInt8]) -> Bool {
        s.response.buffer.append(bytes, pool: buffers)
        return flushClient(s)
    }
}
