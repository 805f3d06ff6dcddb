import XCTest
import Foundation

/// One proxy (Fulcrum, HAProxy 2.6 or nginx 1.22) in front of its own
/// recording server, all three configured alike: keep-alive with the client,
/// one server connection per request (`option http-server-close`, nginx's
/// HTTP/1.0 upstream), a client that idles is closed after 300 ms, a stalled
/// client after 1 s, a stalled server after 3 s. `observe` sends raw bytes on
/// a fresh connection and returns, byte for byte, what the client got and
/// what the server received, so the three can be set side by side.
final class HTTPDifferentialRig {
    enum Proxy: String, CaseIterable {
        case fulcrum, haproxy, nginx
    }

    /// What one proxy did with one case.
    struct Observation: Equatable {
        /// Everything the client received until the proxy closed.
        var client: [UInt8]
        /// How the proxy ended the connection (or `.timeout` if it did not).
        var end: TCPClient.End
        /// What each server connection opened for the case received.
        var backend: [[UInt8]]
    }

    let proxy: Proxy
    let port: UInt16
    let server: HTTPTestServer
    private let scripted = ScriptedAnswer()

    /// What the server sends instead of `ok`, set per case.
    private final class ScriptedAnswer: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8]?
        var value: [UInt8]? {
            get { lock.withLock { bytes } }
            set { lock.withLock { bytes = newValue } }
        }
    }

    static func haproxyConfig(port: UInt16, server: UInt16) -> String {
        """
        global
            tune.bufsize 16384
            tune.maxrewrite 1024
        defaults
            mode http
            option http-server-close
            timeout connect 2s
            timeout client 1s
            timeout server 3s
            timeout http-request 1s
            timeout http-keep-alive 300ms
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server s1 127.0.0.1:\(server)

        """
    }

    /// nginx's defaults otherwise (HTTP/1.0 upstream, request buffering,
    /// 8 KB header buffers); Host passed as the client sent it.
    static func nginxHTTP(server: UInt16) -> String {
        """
        server {
            listen 127.0.0.1:{port};
            keepalive_timeout 300ms;
            client_header_timeout 1s;
            client_body_timeout 1s;
            send_timeout 1s;
            location / {
                proxy_pass http://127.0.0.1:\(server);
                proxy_set_header Host $http_host;
                proxy_connect_timeout 2s;
                proxy_read_timeout 3s;
                proxy_send_timeout 3s;
            }
        }
        """
    }

    /// The server answers `ok` to every request, or, while `script` is set,
    /// sends those bytes and closes.
    init(_ proxy: Proxy, test: XCTestCase) throws {
        self.proxy = proxy
        let scripted = scripted
        server = try test.startHTTPServer(name: "s1") { _ in
            scripted.value.map { HTTPTestServer.Response(close: true, raw: $0) } ?? .text("ok\n")
        }
        port = try FreePort.next()
        switch proxy {
        case .fulcrum:
            try test.startFulcrum(config: Self.haproxyConfig(port: port, server: server.port)).waitUntilListening(port: port)
        case .haproxy:
            _ = try test.startHAProxyReference(config: Self.haproxyConfig(port: port, server: server.port), port: port)
        case .nginx:
            let nginx = try NginxServer(http: Self.nginxHTTP(server: server.port), port: port)
            test.addTeardownBlock { nginx.stop() }
        }
    }

    /// Sends `bytes` on a new connection, reads until the proxy closes, then
    /// waits until every server connection the case opened is closed.
    /// `script`: what the server answers instead of `ok`.
    func observe(_ bytes: [UInt8], script: [UInt8]? = nil) -> Observation {
        scripted.value = script
        let before = server.acceptedCount
        var received = TCPClient.Received(bytes: [], end: .reset)
        if let client = try? TCPClient(port: port) {
            try? client.send(bytes)
            received = (try? client.receiveUntilEOF(timeout: 8)) ?? received
            client.close()
        }
        _ = waitUntil(timeout: 6) {
            server.activeCount == 0 && ListeningSockets.acceptQueueLength(port: server.port) == 0
        }
        let backend = server.connectionBytes.dropFirst(before).map(normalized)
        return Observation(client: normalized(received.bytes), end: received.end, backend: backend)
    }

    /// Ports are the run's, the Date is the second's: both are replaced so
    /// runs compare byte for byte.
    private func normalized(_ bytes: [UInt8]) -> [UInt8] {
        var text = String(bytes.map { Character(Unicode.Scalar($0)) })
        text = text.replacingOccurrences(of: ":\(port)", with: ":{port}")
            .replacingOccurrences(of: ":\(server.port)", with: ":{server}")
        if let date = try? NSRegularExpression(pattern: "(?im)^(date:) [^\\r\\n]*") {
            text = date.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1 {date}")
        }
        return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}
