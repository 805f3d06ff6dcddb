import Glibc

/// Pausing a listening socket as HAProxy's `disable frontend` does on Linux:
/// shutdown(2) takes it out of the listening state (queued connections are
/// reset, new ones refused) while it stays bound, and listen(2) takes it back.
extension Socket {
    /// Stops listening; the address stays bound to the socket.
    public static func stopListening(_ fd: FileDescriptor) throws(Errno) {
        _ = try syscall { Glibc.shutdown(fd.rawValue, Int32(SHUT_RD)) }
    }

    /// Listens again (or, on a socket that already listens, only sets the backlog).
    public static func resumeListening(_ fd: FileDescriptor, backlog: Int32) throws(Errno) {
        _ = try syscall { Glibc.listen(fd.rawValue, backlog) }
    }
}
