import Foundation
import Glibc
import FulcrumPosix
import FulcrumTLS

/// A test-only HTTP/1.0-ish TLS server on a real loopback port, built on
/// TLSConnection the way a worker would use it: non-blocking accept, each
/// connection driven by poll on the readiness it wants. It answers the first
/// request head with what the handshake learned, then closes cleanly
/// (close_notify, FIN). Runs on its own thread until `stop`.
final class TLSLoopbackServer: @unchecked Sendable {
    let port: Int
    private let listener: FileDescriptor
    private let context: TLSContext
    private let stopPipe: FulcrumPosix.Pipe
    private let done = DispatchSemaphore(value: 0)

    private final class Client {
        let tls: TLSConnection
        var inbound: [UInt8] = []
        var outbound: [UInt8] = []
        var answered = false
        init(_ tls: TLSConnection) { self.tls = tls }
    }

    init(context: TLSContext) throws {
        SignalChannel.ignore(SIGPIPE)
        self.context = context
        listener = try Socket.listen(on: SocketAddress(numericHost: "127.0.0.1", port: 0)!, backlog: 64, reusePort: false)
        let bound = Socket.localAddress(listener)!
        port = withUnsafePointer(to: bound.storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
        stopPipe = try FulcrumPosix.Pipe.make()
        Thread { self.run() }.start()
    }

    /// Ends the loop and waits for it.
    func stop() {
        var b: UInt8 = 1
        _ = Glibc.write(stopPipe.writeEnd.rawValue, &b, 1)
        done.wait()
        listener.close()
        stopPipe.close()
    }

    private func run() {
        var clients: [Client] = []
        defer {
            for c in clients { c.tls.close(abort: true) }
            done.signal()
        }
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            var fds = [pollfd(fd: stopPipe.readEnd.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listener.rawValue, events: Int16(POLLIN), revents: 0)]
            for c in clients { fds.append(pollfd(fd: c.tls.fd.rawValue, events: c.tls.wants == .read ? Int16(POLLIN) : Int16(POLLOUT), revents: 0)) }
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { return }
            if fds[0].revents != 0 { return }
            var peer = SocketAddress(numericHost: "0.0.0.0", port: 0)!
            while let fd = try? Socket.accept(listener, peer: &peer) {
                if let tls = try? TLSConnection(fd: fd, context: context) { clients.append(Client(tls)) } else { fd.close() }
            }
            clients.removeAll { c in !step(c, &chunk) }
        }
    }

    /// Advances one connection; false once it is closed.
    private func step(_ c: Client, _ chunk: inout [UInt8]) -> Bool {
        do {
            while !c.answered {
                let n = try chunk.withUnsafeMutableBytes { try c.tls.receive(into: $0.baseAddress!, count: $0.count) }
                if n == 0 { c.tls.close(); return false }
                c.inbound += chunk[0..<n]
                if let head = String(bytes: c.inbound, encoding: .utf8), head.contains("\r\n\r\n") || head.contains("\n\n") {
                    c.answered = true
                    c.outbound = Array(answer(c.tls).utf8)
                }
            }
            while !c.outbound.isEmpty {
                let n = try c.outbound.withUnsafeBytes { try c.tls.send($0.baseAddress!, count: $0.count) }
                c.outbound.removeFirst(n)
            }
            c.tls.close()
            return false
        } catch {
            if error as? Errno == .again { return true }
            c.tls.close(abort: true)
            return false
        }
    }

    private func answer(_ tls: TLSConnection) -> String {
        let i = tls.handshakeInfo
        let body = "protocol=\(i?.protocolName ?? "-") alpn=\(i?.alpn ?? "-") sni=\(i?.serverName ?? "-") "
            + "reused=\(i?.sessionReused == true ? 1 : 0) cipher=\(i?.cipher ?? "-")\n"
        return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
    }
}
