/// One request as a `RecordingHTTPBackend` received it, so a test can say
/// what the proxy in front actually forwarded (rewritten path, added and
/// removed headers, X-Forwarded-For, the de-chunked body).
struct RecordedRequest {
    /// The backend's name: which server the proxy chose.
    let backend: String
    /// Connection number on this backend (1, 2, ... in accept order).
    let connection: Int
    /// 1 for the first request on its connection, 2 for the next...
    let sequence: Int
    let method: String
    let target: String
    let version: String
    /// Fields in arrival order, names as sent (case kept).
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// The head as received, request line to the blank line excluded.
    let rawHead: String

    /// Values of the fields named `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// Path part of the target (before "?").
    var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
}

/// What a `RecordingHTTPBackend` answers to one request.
struct ScriptedResponse {
    var status: Int = 200
    var reason: String = "OK"
    /// Sent as given; Content-Length or Transfer-Encoding is added by the
    /// backend according to `chunked`.
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// Chunked framing (two chunks when the body has two bytes or more).
    var chunked = false
    /// Adds "connection: close" and closes after the response.
    var close = false

    init(status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: String = "",
         chunked: Bool = false, close: Bool = false) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = Array(body.utf8)
        self.chunked = chunked
        self.close = close
    }

    /// The default answer: 200, text/plain, `X-Served-By: NAME` and a body
    /// naming the backend and the request line it saw.
    static func identify(_ request: RecordedRequest) -> ScriptedResponse {
        ScriptedResponse(headers: [("Content-Type", "text/plain"), ("X-Served-By", request.backend)],
                         body: "\(request.backend) \(request.method) \(request.target)\n")
    }
}

extension ScriptedResponse {
    /// The response on the wire (no body after a HEAD request).
    func bytes(head: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bodyless = status == 204 || status == 304 || status < 200
        var payload: [UInt8] = []
        if !bodyless {
            if chunked {
                text += "Transfer-Encoding: chunked\r\n"
                let half = body.count / 2
                for part in [body[..<half], body[half...]] where !part.isEmpty {
                    payload += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
                }
                payload += Array("0\r\n\r\n".utf8)
            } else {
                text += "Content-Length: \(body.count)\r\n"
                payload = body
            }
        }
        if close { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8) + (head ? [] : payload)
    }
}

/// An HTTP/1.1 origin server on 127.0.0.1 for side-by-side tests: an
/// `HTTPTestServer` (keep-alive, every request recorded, no 100 Continue of
/// its own) that answers with `responder` and hands out what it received as
/// `RecordedRequest`s.
final class RecordingHTTPBackend {
    typealias Responder = (RecordedRequest) -> ScriptedResponse

    let name: String
    private let server: HTTPTestServer
    /// How many of the server's requests `takeRequests()` already handed out.
    private var taken = 0

    init(name: String, responder: @escaping Responder = ScriptedResponse.identify) throws {
        self.name = name
        server = try HTTPTestServer(name: name, sendsContinue: false) { request in
            let reply = responder(RecordedRequest(request, backend: name))
            return HTTPTestServer.Response(close: reply.close, raw: reply.bytes(head: request.method == "HEAD"))
        }
    }

    var port: UInt16 { server.port }
    /// Bytes received over all connections, complete requests or not.
    var receivedBytes: Int { server.totalBytes }
    /// Every request received since the start or the last `takeRequests()`.
    var requests: [RecordedRequest] { server.requests.dropFirst(taken).map { RecordedRequest($0, backend: name) } }

    /// Returns the recorded requests and forgets them.
    func takeRequests() -> [RecordedRequest] {
        let all = server.requests
        defer { taken = all.count }
        return all.dropFirst(taken).map { RecordedRequest($0, backend: name) }
    }

    /// Stops listening and closes every connection.
    func stop() { server.stop() }
}

extension RecordedRequest {
    init(_ r: HTTPTestServer.Request, backend: String) {
        var head = r.rawHead
        while let last = head.last, last == 10 || last == 13 { head.removeLast() }
        self.init(backend: backend, connection: r.connection + 1, sequence: r.sequence, method: r.method,
                  target: r.target, version: r.version, headers: r.headers, body: r.body,
                  rawHead: String(decoding: head, as: UTF8.self))
    }
}
