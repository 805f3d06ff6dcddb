import FulcrumBytes
import FulcrumHTTP

/// Just enough HTTP/1 response parsing for a health check: status line,
/// framing headers, and the body decoded so far.
struct HealthHTTPResponse {
    enum Parse {
        case needMore
        case malformed
        case parsed(HealthHTTPResponse)
    }

    var status: Int
    var reason: String
    /// The body bytes received so far (de-chunked).
    var body: [UInt8]
    /// The framing says the whole message is here.
    var bodyComplete: Bool

    private static let prefix = Array("HTTP/".utf8)

    static func parse(_ bytes: [UInt8]) -> Parse {
        // Fail early on a response that cannot be HTTP at all.
        for (i, byte) in bytes.prefix(prefix.count).enumerated() where byte != prefix[i] { return .malformed }
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var headerEnd: Int? = nil
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                var line = bytes[start..<i]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                if line.isEmpty && !lines.isEmpty { headerEnd = i + 1; break }
                lines.append(line)
                if lines.count == 1, parseStatusLine(line) == nil { return .malformed }
                start = i + 1
            }
            i += 1
        }
        guard let headerEnd, let (status, reason) = parseStatusLine(lines[0]) else { return .needMore }

        var contentLength: Int? = nil
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return .malformed }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            guard !name.contains(" "), !name.contains("\t") else { return .malformed }
            let value = String(decoding: line[(colon + 1)...].trimmingBlanks(), as: UTF8.self)
            switch name {
            case "content-length":
                guard let n = Int(value), n >= 0 else { return .malformed }
                if let previous = contentLength, previous != n { return .malformed }
                contentLength = n
            case "transfer-encoding":
                chunked = value.lowercased().split(separator: ",").last.map { $0.trimmingBlanks() == "chunked" } ?? false
            default:
                break
            }
        }

        let rest = bytes[headerEnd...]
        var response = HealthHTTPResponse(status: status, reason: reason, body: [], bodyComplete: false)
        if (100..<200).contains(status) || status == 204 || status == 304 {
            response.bodyComplete = true
        } else if chunked {
            guard let (body, complete) = dechunk(rest) else { return .malformed }
            response.body = body; response.bodyComplete = complete
        } else if let contentLength {
            response.body = Array(rest.prefix(contentLength))
            response.bodyComplete = rest.count >= contentLength
        } else {
            response.body = Array(rest) // until the server closes
        }
        return .parsed(response)
    }

    /// "HTTP/x.y NNN [reason]"; nil when malformed.
    private static func parseStatusLine(_ line: ArraySlice<UInt8>) -> (Int, String)? {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        let version = Array(parts[0].utf8)
        guard version.count == 8, version.starts(with: prefix), version[6] == UInt8(ascii: "."),
              ASCII.isDigit(version[5]), ASCII.isDigit(version[7]) else { return nil }
        let code = Array(parts[1].utf8)
        guard code.count == 3, code.allSatisfy(ASCII.isDigit), let status = Int(String(parts[1])) else { return nil }
        return (status, parts.count == 3 ? String(parts[2]) : "")
    }

    /// Decodes the chunks received so far with the proxy's own chunked
    /// parser (HAProxy's rules); nil when the framing is broken.
    private static func dechunk(_ bytes: ArraySlice<UInt8>) -> ([UInt8], Bool)? {
        var parser = ChunkedBodyParser(errorStatus: 502)
        var body: [UInt8] = []
        switch bytes.withUnsafeBytes({ parser.decode($0, into: &body) }) {
        case .consumed: return (body, false)
        case .done: return (body, true)
        case .invalid: return nil
        }
    }
}
