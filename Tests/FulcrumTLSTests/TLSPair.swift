import Glibc
import XCTest
import FulcrumPosix
@testable import FulcrumTLS

/// A server and a client TLSConnection over a non-blocking socketpair, driven
/// by poll(2): each step runs whatever can progress and then waits for the
/// readiness a side asked for (never a sleep; a 5 s poll timeout fails).
final class TLSPair {
    let server: TLSConnection
    let client: TLSConnection

    init(server serverContext: TLSContext, client clientContext: TLSContext,
         serverName: String? = nil, verifyHostname: String? = nil, session: TLSSession? = nil) throws {
        // OpenSSL writes with write(2); every Fulcrum role ignores SIGPIPE.
        SignalChannel.ignore(SIGPIPE)
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw Errno.current
        }
        server = try TLSConnection(fd: FileDescriptor(fds[0]), context: serverContext)
        client = try TLSConnection(fd: FileDescriptor(fds[1]), context: clientContext, serverName: serverName,
                                   verifyHostname: verifyHostname, session: session)
    }

    deinit { close() }

    func close() {
        server.close()
        client.close()
    }

    enum Outcome: Equatable { case done, failed(server: Errno?, client: Errno?) }

    /// Runs both handshakes to completion or until one side fails (the
    /// other is then driven until it sees the failure or EOF too).
    func handshake() -> Outcome {
        var serverError: Errno? = nil, clientError: Errno? = nil
        var serverDone = false, clientDone = false
        while true {
            if !serverDone && serverError == nil {
                do { serverDone = try server.handshake() } catch { if error != .again { serverError = error } }
            }
            if !clientDone && clientError == nil {
                do { clientDone = try client.handshake() } catch { if error != .again { clientError = error } }
            }
            if serverDone && clientDone { return .done }
            if serverError != nil || clientError != nil {
                // The failing side sent its alert; let the other read it.
                if (serverError != nil || serverDone) && (clientError != nil || clientDone) {
                    return .failed(server: serverError, client: clientError)
                }
                if serverError != nil { server.close(abort: false) }
                if clientError != nil { client.close(abort: false) }
            }
            var waits: [pollfd] = []
            if !serverDone && serverError == nil { waits.append(pollfd(fd: server.fd.rawValue, events: event(server), revents: 0)) }
            if !clientDone && clientError == nil { waits.append(pollfd(fd: client.fd.rawValue, events: event(client), revents: 0)) }
            guard wait(&waits) else { return .failed(server: serverError ?? Errno(ETIMEDOUT), client: clientError ?? Errno(ETIMEDOUT)) }
        }
    }

    private func event(_ c: TLSConnection) -> Int16 { c.wants == .read ? Int16(POLLIN) : Int16(POLLOUT) }

    private func wait(_ fds: inout [pollfd]) -> Bool {
        guard !fds.isEmpty else { return true }
        let r = poll(&fds, nfds_t(fds.count), 5000)
        if r == 0 { XCTFail("poll timed out"); return false }
        return r > 0
    }

    /// Moves `bytes` from `from` to `to` while both are non-blocking; bytes
    /// a send refused are retried from a fresh copy at another address (the
    /// engine's pooled buffer), which partial writes + moving buffer allow.
    /// Returns what `to` received.
    func transfer(_ bytes: [UInt8], from: TLSConnection, to: TLSConnection, readChunk: Int = 16384) throws -> [UInt8] {
        var pending = bytes
        var received: [UInt8] = []
        received.reserveCapacity(bytes.count)
        var chunk = [UInt8](repeating: 0, count: readChunk)
        while received.count < bytes.count {
            var progressed = false
            if !pending.isEmpty {
                do {
                    let n = try pending.withUnsafeBytes { try from.send($0.baseAddress!, count: $0.count) }
                    pending = Array(pending[n...])   // moves: the retry comes from a new address
                    progressed = true
                } catch let e as Errno where e == .again {}
            }
            do {
                let n = try chunk.withUnsafeMutableBytes { try to.receive(into: $0.baseAddress!, count: $0.count) }
                if n == 0 { throw Errno(ECONNRESET) }
                received.append(contentsOf: chunk[0..<n])
                progressed = true
            } catch let e as Errno where e == .again {}
            if progressed { continue }
            var fds = [pollfd(fd: to.fd.rawValue, events: event(to), revents: 0)]
            if !pending.isEmpty { fds.append(pollfd(fd: from.fd.rawValue, events: event(from), revents: 0)) }
            guard wait(&fds) else { throw Errno(ETIMEDOUT) }
        }
        return received
    }

    /// Reads until EOF (0) on `c`, returning the bytes that came first.
    func readToEOF(_ c: TLSConnection) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            do {
                let n = try chunk.withUnsafeMutableBytes { try c.receive(into: $0.baseAddress!, count: $0.count) }
                if n == 0 { return out }
                out.append(contentsOf: chunk[0..<n])
            } catch let e as Errno where e == .again {
                var fds = [pollfd(fd: c.fd.rawValue, events: event(c), revents: 0)]
                guard wait(&fds) else { throw Errno(ETIMEDOUT) }
            }
        }
    }
}
