import Foundation

/// One HTTP response as a client read it.
struct HTTPTestMessage {
    var statusLine: String
    var status: Int
    var headers: [(name: String, value: String)]
    /// The body with chunked framing removed.
    var body: [UInt8]
    /// Whether the body came chunked.
    var chunked: Bool

    var text: String { String(decoding: body, as: UTF8.self) }
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
    func header(_ name: String) -> String? { values(name).first }
    /// Comma-separated tokens of every `name` field, lowercased.
    func tokens(_ name: String) -> [String] {
        values(name).flatMap { $0.lowercased().split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// A raw-bytes HTTP/1.1 client over one TCP connection: sends exactly what
/// the test gives it, and reads responses framed as HTTP says (Content-Length,
/// chunked, or until close; none for HEAD, 1xx, 204, 304), so keep-alive and
/// pipelining can be observed on a single connection.
final class HTTPTestClient {
    let connection: TCPClient

    init(port: UInt16, timeout: Double = 2) throws {
        connection = try TCPClient(port: port, timeout: timeout)
    }

    func send(_ text: String) throws { try connection.send(text) }
    func send(_ bytes: [UInt8]) throws { try connection.send(bytes) }

    /// Sends a request built from parts (Host: test and Content-Length added
    /// when missing) and reads its final response (1xx skipped).
    func request(_ method: String = "GET", _ target: String = "/", version: String = "HTTP/1.1",
                 headers: [(String, String)] = [], body: String? = nil, timeout: Double = 5) throws -> HTTPTestMessage {
        try send(Self.requestText(method, target, version: version, headers: headers, body: body))
        return try readFinalResponse(requestMethod: method, timeout: timeout)
    }

    static func requestText(_ method: String = "GET", _ target: String = "/", version: String = "HTTP/1.1",
                            headers: [(String, String)] = [], body: String? = nil) -> String {
        var text = "\(method) \(target) \(version)\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { text += "Host: test\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body, !headers.contains(where: { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }) {
            text += "Content-Length: \(body.utf8.count)\r\n"
        }
        return text + "\r\n" + (body ?? "")
    }

    /// Reads responses until a final (non-1xx) one; throws if none comes.
    func readFinalResponse(requestMethod: String = "GET", timeout: Double = 5) throws -> HTTPTestMessage {
        let deadline = Deadline(seconds: timeout)
        for _ in 0..<20 {
            let seconds = Double(deadline.remainingMilliseconds()) / 1000
            guard let message = try readResponse(requestMethod: requestMethod, timeout: max(seconds, 0.01)) else {
                throw HarnessError.failed("no HTTP response on port \(connection.port) within \(timeout) s")
            }
            if message.status >= 200 || message.status == 101 { return message }
        }
        throw HarnessError.failed("more than 20 interim responses")
    }

    /// Reads one response (a 1xx is one); nil if the connection closed or the
    /// time ran out before a status line.
    func readResponse(requestMethod: String = "GET", timeout: Double = 5) throws -> HTTPTestMessage? {
        let deadline = Deadline(seconds: timeout)
        func remaining() -> Double { max(Double(deadline.remainingMilliseconds()) / 1000, 0.01) }
        guard let statusLine = try connection.readLine(timeout: remaining()) else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw HarnessError.failed("not a status line: \(statusLine.debugDescription)")
        }
        var headers: [(name: String, value: String)] = []
        for _ in 0..<1000 {
            guard let line = try connection.readLine(timeout: remaining()) else {
                throw HarnessError.failed("response head cut after \(headers.count) fields")
            }
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw HarnessError.failed("bad field \(line.debugDescription)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var message = HTTPTestMessage(statusLine: statusLine, status: status, headers: headers, body: [], chunked: false)
        if requestMethod == "HEAD" || status / 100 == 1 || status == 204 || status == 304 { return message }
        if message.tokens("Transfer-Encoding").contains("chunked") {
            message.chunked = true
            for _ in 0..<1_000_000 {
                guard let sizeLine = try connection.readLine(timeout: remaining()),
                      let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                    throw HarnessError.failed("bad or missing chunk size")
                }
                if size == 0 {
                    // Trailer fields up to the blank line.
                    for _ in 0..<100 {
                        guard let trailer = try connection.readLine(timeout: remaining()) else {
                            throw HarnessError.failed("chunked body cut in the trailers")
                        }
                        if trailer.isEmpty { return message }
                    }
                    throw HarnessError.failed("more than 100 trailer fields")
                }
                let chunk = try connection.receive(count: size, timeout: remaining())
                guard chunk.end == .complete else { throw HarnessError.failed("chunk cut: \(chunk.end)") }
                message.body += chunk.bytes
                guard try connection.readLine(timeout: remaining()) == "" else { throw HarnessError.failed("no CRLF after chunk") }
            }
        } else if let length = message.header("Content-Length").flatMap({ Int($0) }) {
            let body = try connection.receive(count: length, timeout: remaining())
            guard body.end == .complete else { throw HarnessError.failed("body cut at \(body.bytes.count)/\(length): \(body.end)") }
            message.body = body.bytes
        } else {
            message.body = try connection.receiveUntilEOF(timeout: remaining()).bytes
        }
        return message
    }

    /// Waits for the proxy to close the connection: `.eof`, `.reset` or `.timeout`.
    func waitForClose(timeout: Double = 5) throws -> TCPClient.End {
        try connection.waitForClose(timeout: timeout)
    }

    func close() { connection.close() }
}
