import Glibc
import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumLog
import FulcrumPosix

/// A bind line as accepting on it needs it: whether its connections start
/// with a PROXY header, and how HAProxy names its listener in a log line.
struct BindRuntime {
    var acceptProxy: Bool
    /// The bind's `name`, else its listener id (`luid`) as text.
    var listenerName: [UInt8]
    /// HAProxy's listener number within its frontend (1, 2, ...: one per
    /// address, in order), the "port" a unix client logs.
    var listenerID: Int

    /// Every bind line of the configuration, in the table's order.
    static func all(_ c: Configuration) -> [BindRuntime] {
        var out: [BindRuntime] = []
        for f in c.frontends {
            var next = 1
            for b in f.binds {
                let id = next
                next += max(1, b.addresses.count)
                out.append(BindRuntime(acceptProxy: b.acceptProxy, listenerName: Array((b.name ?? String(id)).utf8),
                                       listenerID: id))
            }
        }
        return out
    }
}

/// `bind ... accept-proxy` and `tcp-request connection expect-proxy layer4`:
/// the PROXY header is peeked at the socket, decoded (FulcrumHTTP's pure
/// `ProxyProtocolHeader`), then exactly its bytes are consumed, so what
/// follows (a ClientHello, a request) stays in the socket for the next
/// layer, as HAProxy's conn_recv_proxy does. The carried addresses become
/// the stream's source and destination: ACLs, balancing, forwardfor and logs
/// see them. A bad header closes the connection with HAProxy's log line.
extension StreamEngine {
    /// Reads the header once the socket is readable.
    func readProxyHeader(_ s: Stream) {
        guard s.client.readable else { return }
        let fd = s.client.transport.fd.rawValue
        // A v2 header is at most 16 + 65535 bytes; HAProxy peeks one buffer.
        let room = bufferSize
        var n: Int
        repeat { n = Glibc.recv(fd, scratch, room, Int32(MSG_PEEK)) } while n < 0 && errno == EINTR
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { s.client.readable = false; return }
            proxyHeaderFailed(s, .abort)
            return
        }
        var header = ProxyProtocolHeader(version: 0, length: 0)
        if let error = ProxyProtocolHeader.decode(UnsafeRawBufferPointer(start: scratch, count: n), into: &header) {
            // HAProxy logs the client a v2 header carried before its TLVs failed.
            if let source = header.source { s.peer = SocketAddress(source, port: header.sourcePort) }
            proxyHeaderFailed(s, error)
            return
        }
        do {
            var taken: Int
            repeat { taken = Glibc.recv(fd, scratch, header.length, 0) } while taken < 0 && errno == EINTR
            guard taken == header.length else { proxyHeaderFailed(s, .abort); return }
            if let source = header.source, let destination = header.destination {
                s.peer = SocketAddress(source, port: header.sourcePort)
                s.local = SocketAddress(destination, port: header.destinationPort)
            }
            s.client.activity = now
            s.phaseDeadline = 0
            // More bytes may wait behind the header: stay readable.
            afterAccept(s)
        }
    }

    /// `send-proxy` / `send-proxy-v2`: the stream's endpoints (carried by the
    /// client's own header, if any) written first on a new server
    /// connection. A fresh socket's send buffer takes it whole; a short write
    /// is a failed connection.
    func sendProxyHeader(_ s: Stream, version: Int, options: ProxyV2Options) -> Bool {
        let local = localAddress(s)
        let source: IPAddress? = s.peer.isUnix ? nil : s.peer.ipAddress
        let destination: IPAddress? = local.isUnix ? nil : local.ipAddress
        let n: Int
        if version == 2 {
            var extras = ProxyProtocolEncoder.V2Extras()
            extras.crc32c = options.contains(.crc32c)
            extras.alpn = s.tls?.alpn?[...]
            if options.contains(.authority) { extras.authority = s.tls?.serverName?[...] }
            // HAProxy sends the TLV even empty (no unique-id-format).
            if options.contains(.uniqueID) { extras.uniqueID = s.http.uniqueID[...] }
            if options.contains(.ssl) {
                var ssl = ProxyProtocolEncoder.V2Extras.SSL()
                if let tls = s.tls {
                    ssl.client = 0x01
                    ssl.version = tls.protocolName[...]
                    if let subject = tls.clientSubject {
                        ssl.client |= 0x02 | 0x04
                        ssl.verify = UInt32(truncatingIfNeeded: tls.clientVerify)
                        if options.contains(.certCN) { ssl.commonName = Self.commonName(subject) }
                    }
                    if options.contains(.sslCipher) { ssl.cipher = tls.cipher[...] }
                }
                extras.ssl = ssl
            }
            n = ProxyProtocolEncoder.writeV2(source: source, sourcePort: s.peer.port, destination: destination,
                                             destinationPort: local.port, extras: extras, into: proxyLine)
        } else {
            n = ProxyProtocolEncoder.writeV1(source: source, sourcePort: s.peer.port, destination: destination,
                                             destinationPort: local.port, into: proxyLine)
        }
        guard let sent = try? Socket.send(s.server.transport.fd, proxyLine.baseAddress!, count: n) else { return false }
        return sent == n
    }

    static let commonNameMarker: [UInt8] = Array("/CN=".utf8)

    /// The first CN of a one-line subject ("/C=FR/CN=name/O=..." → "name").
    static func commonName(_ subject: [UInt8]) -> ArraySlice<UInt8>? {
        let marker = commonNameMarker
        var i = 0
        while i + marker.count <= subject.count {
            if subject[i..<(i + marker.count)].elementsEqual(marker) {
                let start = i + marker.count
                let end = subject[start...].firstIndex(of: 0x2F) ?? subject.endIndex
                return subject[start..<end]
            }
            i += 1
        }
        return nil
    }

    /// Closes a connection whose header did not come or was refused, with
    /// HAProxy's line for a connection that never became a stream.
    func proxyHeaderFailed(_ s: Stream, _ error: ProxyProtocolError) {
        logConnectionError(s, message: error.message, null: error.isNull)
        s.record.logged = true   // no stream line: it never became one
        s.record.terminate(.clientAbort, .request)
        close(s, abort: true)
    }

    /// HAProxy's session_kill_embryonic line: `CLIENT [DATE] FE/LISTENER: MESSAGE`,
    /// at info (err with `option log-separate-errors`); `dontlognull` drops
    /// the errors of connections that sent nothing. A frontend without a log
    /// format (HAProxy's legacy "Connect from" line) logs none (to_log is 0).
    func logConnectionError(_ s: Stream, message: String, null: Bool) {
        guard let logger, let fe = logger.frontends[s.frontend], !fe.destinations.isEmpty,
              !fe.line.format.logsAtAccept else { return }
        if null && fe.options.dontLogNull { return }
        let bind = s.bindLine < bindLines.count ? bindLines[s.bindLine] : BindRuntime(acceptProxy: false, listenerName: [], listenerID: 0)
        let client: LogEndpoint = s.peer.family == AF_UNIX ? .unix(listenerID: bind.listenerID)
            : .ip(s.peer.ipAddress, port: s.peer.port)
        ConnectionErrorLine.render(client: client, acceptDateMicros: Int64(s.record.acceptedWallMicros),
                                   utcOffsetSeconds: Int(logger.output.utcOffsetSeconds), frontend: fe.name,
                                   listener: bind.listenerName, message: message, into: &logger.line)
        fe.lines += 1
        logger.output.send(logger.line, level: fe.options.separateErrors ? .err : .info, to: fe.destinations)
    }
}
