/// HAProxy's CLI payload syntax: a command line whose last word is `<<`
/// takes the lines that follow, up to an empty line, as a payload for its
/// last command (`set ssl cert NAME <<` + PEM, `add ssl crt-list FILE <<` +
/// a crt-list line). Kept apart from the socket so the framing is tested
/// without one: the endpoint feeds the bytes it read and runs what comes out.
public enum RuntimePayload {
    /// One line to run, with the payload of its last command when it had one.
    public struct Request: Equatable, Sendable {
        public var line: String
        /// The payload's lines, each ending with "\n"; nil without `<<`.
        public var payload: String?
        /// With a payload: the lines read before its empty line, the command
        /// line included (HAProxy prompts "+ " for each in prompt mode).
        public var payloadLines = 0
        public init(line: String, payload: String? = nil, payloadLines: Int = 0) {
            self.line = line; self.payload = payload; self.payloadLines = payloadLines
        }
    }

    /// Takes the next complete request from the front of `input`; nil while
    /// more bytes are needed. Once the peer has closed (`closed`), a final
    /// unterminated line is complete, and a payload still missing its empty
    /// line is dropped with its command, unanswered, as HAProxy does.
    /// `input` is a slice so that taking a line from its front moves its
    /// start instead of the bytes behind it (a bulk load pipelines 64 KiB).
    public static func next(_ input: inout ArraySlice<UInt8>, closed: Bool) -> Request? {
        let newline = UInt8(ascii: "\n")
        guard let end = input.firstIndex(of: newline) ?? (closed && !input.isEmpty ? input.endIndex : nil) else { return nil }
        var line = String(decoding: input[..<end], as: UTF8.self)
        while let last = line.last, last == "\r" || last == " " || last == "\t" { line.removeLast() }
        guard line.hasSuffix("<<") else {
            input = input[min(input.endIndex, end + 1)...]
            return Request(line: line)
        }
        // The payload runs to the first empty line after the command line.
        var payload = ""
        var lines = 1
        var start = end + 1
        while true {
            guard start <= input.endIndex else { break }
            guard let stop = input[start...].firstIndex(of: newline) else {
                if closed { input = [] }
                return nil
            }
            let text = String(decoding: input[start..<stop], as: UTF8.self)
            start = stop + 1
            if text.isEmpty || text == "\r" { break }
            payload += text + "\n"
            lines += 1
        }
        input = input[min(input.endIndex, start)...]
        line.removeLast(2)
        return Request(line: line, payload: payload, payloadLines: lines)
    }

    /// The complete lines of a payload still being collected at the front
    /// of `input` (its command line included); 0 when none is.
    public static func collectedLines(_ input: ArraySlice<UInt8>) -> Int {
        var copy = input
        guard let end = input.firstIndex(of: UInt8(ascii: "\n")), next(&copy, closed: false) == nil else { return 0 }
        var line = String(decoding: input[..<end], as: UTF8.self)
        while let last = line.last, last == "\r" || last == " " || last == "\t" { line.removeLast() }
        return line.hasSuffix("<<") ? input.filter { $0 == UInt8(ascii: "\n") }.count : 0
    }
}
