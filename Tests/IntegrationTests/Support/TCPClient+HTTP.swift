import Foundation

extension TCPClient {
    /// Reads one HTTP/1 response (skipping 1xx interim ones except 101).
    /// The body is framed as RFC 9112 says: none for HEAD, 1xx, 204 and
    /// 304, else chunked, Content-Length, or until the server closes.
    /// Returns nil when the connection ended (or `timeout` passed) before a
    /// whole head arrived; throws on a body the framing cannot account for.
    func readHTTPResponse(requestMethod: String = "GET", timeout: Double = 5) throws -> HTTPTestResponse? {
        let deadline = Deadline(seconds: timeout)
        let remaining = { max(0.01, Double(deadline.remainingMilliseconds()) / 1000) }
        for _ in 0..<10 {
            guard let statusLine = try readLine(timeout: remaining()), !statusLine.isEmpty else { return nil }
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, let status = Int(parts[1]) else {
                throw HarnessError.failed("not an HTTP status line: \(statusLine.debugDescription)")
            }
            var headers: [(name: String, value: String)] = []
            for _ in 0..<1000 {
                guard let line = try readLine(timeout: remaining()) else {
                    throw HarnessError.failed("response head cut after \(headers.count) fields")
                }
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else {
                    throw HarnessError.failed("not a header field: \(line.debugDescription)")
                }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            if status >= 100 && status < 200 && status != 101 { continue }
            let field = { (name: String) in headers.filter { $0.name.lowercased() == name }.map(\.value) }
            var body: [UInt8] = []
            let chunked = field("transfer-encoding").contains { $0.lowercased().contains("chunked") }
            if requestMethod == "HEAD" || status < 200 || status == 204 || status == 304 {
                // No body.
            } else if chunked {
                body = try readChunkedBody(remaining)
            } else if let length = field("content-length").first.flatMap({ Int($0) }) {
                let received = try receive(count: length, timeout: remaining())
                guard received.end == .complete else {
                    throw HarnessError.failed("body cut at \(received.bytes.count) of \(length) bytes (\(received.end))")
                }
                body = received.bytes
            } else {
                body = try receiveUntilEOF(timeout: remaining()).bytes
            }
            return HTTPTestResponse(version: parts[0], status: status, reason: parts.count > 2 ? parts[2] : "",
                                    headers: headers, body: body, chunked: chunked)
        }
        throw HarnessError.failed("more than 10 interim responses")
    }

    private func readChunkedBody(_ remaining: () -> Double) throws -> [UInt8] {
        var body: [UInt8] = []
        for _ in 0..<100_000 {
            guard let line = try readLine(timeout: remaining()) else { throw HarnessError.failed("chunked body cut") }
            let sizeText = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw HarnessError.failed("bad chunk size line \(line.debugDescription)")
            }
            if size == 0 {
                // Trailer fields, up to the blank line.
                for _ in 0..<1000 {
                    guard let trailer = try readLine(timeout: remaining()) else {
                        throw HarnessError.failed("chunked body: trailers cut")
                    }
                    if trailer.isEmpty { return body }
                }
                throw HarnessError.failed("chunked body: more than 1000 trailer fields")
            }
            let data = try receive(count: size, timeout: remaining())
            guard data.end == .complete else { throw HarnessError.failed("chunk cut (\(data.end))") }
            body += data.bytes
            guard try readLine(timeout: remaining()) == "" else { throw HarnessError.failed("no CRLF after chunk") }
        }
        throw HarnessError.failed("more than 100000 chunks")
    }

    /// After a response: whether the proxy closes the connection within
    /// `timeout` (true), or keeps it open (false). Bytes that arrive instead
    /// are an error: nothing was asked for.
    func closesAfterResponse(timeout: Double = 0.5) throws -> Bool {
        let next = try receive(count: 1, timeout: timeout)
        switch next.end {
        case .eof, .reset: return true
        case .timeout: return false
        case .complete: throw HarnessError.failed("unexpected byte after the response: \(next.bytes)")
        }
    }
}
