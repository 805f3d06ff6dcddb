import COpenSSL

/// A failed OpenSSL call: what Fulcrum was doing and OpenSSL's own error
/// strings, oldest first (the queue is drained, so the next call starts clean).
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var reasons: [String]

    public init(_ operation: String, reasons: [String]) {
        self.operation = operation
        self.reasons = reasons
    }

    /// Takes every entry of the thread's OpenSSL error queue.
    public static func drain(_ operation: String) -> TLSError {
        TLSError(operation, reasons: takeQueue())
    }

    public var description: String {
        reasons.isEmpty ? operation : operation + ": " + reasons.joined(separator: "; ")
    }

    /// OpenSSL's error queue as text, emptied.
    static func takeQueue() -> [String] {
        var out: [String] = []
        var text = [CChar](repeating: 0, count: 256)
        while true {
            let e = co_err_get_error()
            if e == 0 { return out }
            ERR_error_string_n(e, &text, text.count)
            out.append(String(cString: text))
        }
    }
}
