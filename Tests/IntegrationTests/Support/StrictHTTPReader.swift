import Foundation

/// Reads the bytes one side of a proxy wrote (what a backend received, or
/// what a client received) as a stream of HTTP/1.1 messages under RFC 9112
/// with no leniency at all, and names the first place where a lenient reader
/// could frame the stream differently: a bare CR or LF, an obs-fold, a field
/// line that is not `token ":" value`, a NUL in a value, both
/// Content-Length and Transfer-Encoding, a Transfer-Encoding that is not a
/// single final `chunked`, chunked framing in HTTP/1.0, differing or
/// non-numeric Content-Lengths, a chunk size that is not plain hex, a length
/// on a 1xx or 204 response, a status code that is not three digits. Written
/// independently of FulcrumHTTP so it can judge what Fulcrum forwards.
enum StrictHTTPReader {
    struct Reading: Equatable {
        /// Messages read completely.
        var messages = 0
        /// Where the stream could be read two ways; nil when it cannot.
        var ambiguity: String?
        /// The stream ended inside a message (a proxy gave up on it).
        var truncated = false
    }

    /// Reads requests (`methods` empty) or the responses to requests with
    /// `methods` (HEAD responses have no body; the last method is reused).
    static func read(_ bytes: [UInt8], responsesTo methods: [String]? = nil) -> Reading {
        var reader = Cursor(bytes: bytes)
        var reading = Reading()
        var index = 0
        while !reader.atEnd {
            let method = methods.map { $0.isEmpty ? "GET" : $0[min(index, $0.count - 1)] }
            do {
                let outcome = try reader.message(responseTo: method)
                reading.messages += 1
                switch outcome {
                case .next: index += 1
                case .interim: break
                case .opaque: return reading
                }
            } catch Failure.truncated {
                reading.truncated = true
                return reading
            } catch Failure.ambiguous(let why) {
                reading.ambiguity = why
                return reading
            } catch {
                reading.ambiguity = "\(error)"
                return reading
            }
        }
        return reading
    }

    private enum Failure: Error {
        case truncated
        case ambiguous(String)
    }

    private enum Outcome {
        /// A final message: the next one answers (or is) the next request.
        case next
        /// A 1xx response: the final one follows.
        case interim
        /// The rest of the stream is a tunnel or read until close.
        case opaque
    }

    private struct Cursor {
        let bytes: [UInt8]
        var offset = 0
        var atEnd: Bool { offset >= bytes.count }

        /// One line without its CRLF; a LF without CR, or a CR without LF, is
        /// ambiguous.
        mutating func line() throws -> ArraySlice<UInt8> {
            var i = offset
            while i < bytes.count {
                switch bytes[i] {
                case 13:
                    guard i + 1 < bytes.count else { throw Failure.truncated }
                    guard bytes[i + 1] == 10 else { throw Failure.ambiguous("bare CR at byte \(i)") }
                    defer { offset = i + 2 }
                    return bytes[offset..<i]
                case 10:
                    throw Failure.ambiguous("bare LF at byte \(i)")
                default:
                    i += 1
                }
            }
            throw Failure.truncated
        }

        mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard bytes.count - offset >= count else { throw Failure.truncated }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func message(responseTo method: String?) throws -> Outcome {
            let start = try line()
            let first = String(decoding: start, as: UTF8.self)
            let parts = first.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            var version: String
            var status = 0
            if method == nil {
                guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(StrictHTTPReader.isToken),
                      !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
                    throw Failure.ambiguous("request line \(first.debugDescription)")
                }
                version = parts[2]
            } else {
                guard parts.count >= 2, parts[1].count == 3, let code = Int(parts[1]), code >= 100,
                      parts.count == 2 || parts[2].utf8.allSatisfy({ $0 == 9 || $0 >= 32 && $0 != 127 }) else {
                    throw Failure.ambiguous("status line \(first.debugDescription)")
                }
                version = parts[0]
                status = code
            }
            guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
                throw Failure.ambiguous("version \(version.debugDescription)")
            }
            let fields = try fieldLines()
            let lengths = fields.filter { $0.name == "content-length" }.map(\.value)
            let codings = fields.filter { $0.name == "transfer-encoding" }.map(\.value)
            let upgrade = fields.contains { $0.name == "upgrade" }
            if !codings.isEmpty && !lengths.isEmpty { throw Failure.ambiguous("Content-Length and Transfer-Encoding") }
            if !codings.isEmpty && version == "HTTP/1.0" { throw Failure.ambiguous("Transfer-Encoding in HTTP/1.0") }
            var length: Int?
            for value in lengths {
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = item.trimmingCharacters(in: [" ", "\t"])
                    guard !digits.isEmpty, digits.count < 16, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                          let n = Int(digits), length == nil || length == n else {
                        throw Failure.ambiguous("Content-Length \(lengths)")
                    }
                    length = n
                }
            }
            var chunked = false
            if !codings.isEmpty {
                let tokens = codings.joined(separator: ",").split(separator: ",")
                    .map { $0.trimmingCharacters(in: [" ", "\t"]).lowercased() }
                guard tokens.last == "chunked", tokens.filter({ $0 == "chunked" }).count == 1 else {
                    if method != nil && !tokens.contains("chunked") {
                        _ = try take(bytes.count - offset)
                        return .opaque
                    }
                    throw Failure.ambiguous("Transfer-Encoding \(codings)")
                }
                chunked = true
            }
            if let method {
                if (status < 200 || status == 204) && !(lengths.isEmpty && codings.isEmpty) {
                    throw Failure.ambiguous("a \(status) response with a body length")
                }
                if status < 200 { return status == 101 ? .opaque : .interim }
                if method == "HEAD" || status == 204 || status == 304 { return .next }
                if method == "CONNECT" && status < 300 { return .opaque }
                if chunked { try chunks() } else if let length { _ = try take(length) } else {
                    _ = try take(bytes.count - offset)
                    return .opaque
                }
                return .next
            }
            if chunked { try chunks() } else if let length { _ = try take(length) }
            return parts[0] == "CONNECT" || upgrade ? .opaque : .next
        }

        /// Field lines up to the empty line, names lowercased.
        mutating func fieldLines() throws -> [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = []
            for _ in 0..<10_000 {
                let l = try line()
                if l.isEmpty { return fields }
                guard let first = l.first, first != 32, first != 9 else {
                    throw Failure.ambiguous("obs-fold \(String(decoding: l, as: UTF8.self).debugDescription)")
                }
                guard let colon = l.firstIndex(of: 58), colon > l.startIndex,
                      l[l.startIndex..<colon].allSatisfy(StrictHTTPReader.isToken) else {
                    throw Failure.ambiguous("field line \(String(decoding: l, as: UTF8.self).debugDescription)")
                }
                let value = l[(colon + 1)...]
                // NUL is the control byte readers disagree on (a C string
                // ends there); RFC 9110 §5.5 lets others through.
                if value.contains(0) {
                    throw Failure.ambiguous("NUL in \(String(decoding: l[..<colon], as: UTF8.self))")
                }
                fields.append((String(decoding: l[..<colon], as: UTF8.self).lowercased(),
                               String(decoding: value, as: UTF8.self).trimmingCharacters(in: [" ", "\t"])))
            }
            throw Failure.ambiguous("more than 10000 field lines")
        }

        mutating func chunks() throws {
            for _ in 0..<1_000_000 {
                let l = try line()
                let digits = l.prefix { StrictHTTPReader.isHex($0) }
                let rest = l[digits.endIndex...]
                guard !digits.isEmpty, digits.count <= 15,
                      rest.isEmpty || rest.first == 59 || rest.first == 32 || rest.first == 9,
                      rest.allSatisfy({ $0 == 9 || $0 >= 32 && $0 != 127 }),
                      let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else {
                    throw Failure.ambiguous("chunk size line \(String(decoding: l, as: UTF8.self).debugDescription)")
                }
                if size == 0 {
                    _ = try fieldLines()
                    return
                }
                _ = try take(size)
                guard try line().isEmpty else { throw Failure.ambiguous("chunk data longer than its size") }
            }
            throw Failure.ambiguous("more than a million chunks")
        }
    }

    static func isToken(_ b: UInt8) -> Bool {
        if b >= 48 && b <= 57 || b >= 65 && b <= 90 || b >= 97 && b <= 122 { return true }
        return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
    }

    static func isHex(_ b: UInt8) -> Bool { b >= 48 && b <= 57 || b >= 65 && b <= 70 || b >= 97 && b <= 102 }
}
