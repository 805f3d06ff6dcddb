import Glibc
import FulcrumPosix

/// `nameserver NAME tcp@ADDR:PORT`: each query on a connection of its own
/// (RFC 1035 4.2.2: a two-byte length, then the message), opened without
/// blocking in the master's loop and closed with its answer or at the
/// query's retry deadline.
struct ResolverTCPQuery {
    let fd: FileDescriptor
    let section: Int, nameserver: Int
    let id: UInt16
    var output: [UInt8]
    var written = 0
    var input: [UInt8] = []
    let deadline: Int64
}

extension GenerationResolver {
    /// Token indexes from here on name TCP queries (0 and 1 are the UDP sockets).
    static let firstTCPToken = 2

    func sendTCP(_ query: [UInt8], id: UInt16, section s: Int, nameserver n: Int, now: Int64) -> Bool {
        guard let loop, let token else { return false }
        let address = sections[s].nameservers[n].address
        guard let fd = try? Socket.stream(family: address.family) else { return false }
        do { _ = try Socket.connect(fd, to: address) } catch { fd.close(); return false }
        let slot = tcpQueries.firstIndex { $0 == nil } ?? { tcpQueries.append(nil); return tcpQueries.count - 1 }()
        var output = [UInt8(query.count >> 8), UInt8(query.count & 0xFF)]
        output += query
        tcpQueries[slot] = ResolverTCPQuery(fd: fd, section: s, nameserver: n, id: id, output: output,
                                            deadline: now + sections[s].timing.timeoutRetry)
        do { try loop.register(fd, [.readable, .writable], token(GenerationResolver.firstTCPToken + slot)) } catch {
            closeTCP(slot)
            return false
        }
        return true
    }

    /// A TCP query's socket is ready: write what is left, read the answer.
    func tcpReady(_ slot: Int, now: Int64) {
        guard slot < tcpQueries.count, var q = tcpQueries[slot] else { return }
        if Socket.pendingError(q.fd) != 0 { closeTCP(slot); return }
        while q.written < q.output.count {
            let n = q.output.withUnsafeBytes { try? Socket.send(q.fd, $0.baseAddress! + q.written, count: $0.count - q.written) }
            guard let n, n > 0 else { break }
            q.written += n
        }
        if q.written == q.output.count { try? loop?.modify(q.fd, .readable, token!(GenerationResolver.firstTCPToken + slot)) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { try? q.fd.read(into: $0.baseAddress!, count: $0.count) }
            guard let n else { break }
            if n == 0 { closeTCP(slot); return }
            q.input += chunk[0..<n]
            if q.input.count >= 2 {
                let length = Int(q.input[0]) << 8 | Int(q.input[1])
                if q.input.count >= 2 + length {
                    let message = Array(q.input[2..<(2 + length)])
                    closeTCP(slot)
                    received(message, section: q.section, nameserver: q.nameserver, now: now)
                    return
                }
            }
        }
        tcpQueries[slot] = q
    }

    /// Closes the connections whose query has passed its deadline.
    func expireTCP(now: Int64) {
        for slot in tcpQueries.indices { if let q = tcpQueries[slot], now >= q.deadline { closeTCP(slot) } }
    }

    func closeTCP(_ slot: Int) {
        guard let q = tcpQueries[slot] else { return }
        loop?.remove(q.fd)
        q.fd.close()
        tcpQueries[slot] = nil
    }
}
