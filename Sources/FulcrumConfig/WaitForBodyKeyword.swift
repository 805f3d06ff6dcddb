/// `http-request|http-response wait-for-body time <time> [at-least <bytes>]`:
/// the rules after it wait (up to `time`) for the whole body, `at-least`
/// bytes of it, or a full buffer, so `req.body*` / `res.body*` see it
/// (HAProxy 2.6's parse_http_wait_for_body, its words and its refusals).
public struct WaitForBody: Equatable, Sendable {
    /// Milliseconds the message may wait before a 408 (request) or 504 (response).
    public var time: Int
    /// Bytes of payload that are enough (0: the whole body).
    public var atLeast: Int
    public init(time: Int, atLeast: Int = 0) { self.time = time; self.atLeast = atLeast }
}

extension ParseSession {
    mutating func waitForBody(_ args: [Word], display: String, at: (Word) -> SourceLocation, action: Word) -> WaitForBody? {
        var time: Int? = nil, atLeast = 0, i = 0
        while i < args.count, args[i].text == "time" || args[i].text == "at-least" {
            let name = args[i].text
            guard i + 1 < args.count, !args[i + 1].text.isEmpty else {
                alert(at(args[i]), "'\(display)' : missing argument for '\(name)'")
                return nil
            }
            let value = args[i + 1]
            if name == "time" {
                switch ValueParsers.milliseconds(value.text, for: display) {
                case .success(let ms): time = ms
                case .failure(let f):
                    alert(at(value), f.message)
                    return nil
                }
            } else {
                guard let n = Self.parseSize(value.text) else {
                    let bad = value.text.first { !$0.isNumber } ?? "?"
                    alert(at(value), "'\(display)' : unexpected character '\(bad)'")
                    return nil
                }
                atLeast = n
            }
            i += 2
        }
        guard let time else {
            alert(at(args.first ?? action), "'\(display)' expects time <time> [ at-least <bytes> ]")
            return nil
        }
        if i < args.count {
            alert(at(args[i]), "unexpected argument '\(args[i].text)' for '\(display)' (expected 'if' or 'unless')")
            return nil
        }
        return WaitForBody(time: time, atLeast: atLeast)
    }
}
