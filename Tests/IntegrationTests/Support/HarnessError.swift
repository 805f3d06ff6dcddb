import Glibc

/// Every harness failure carries what was attempted and why it failed, so a red
/// test says what went wrong without a debugger.
enum HarnessError: Error, CustomStringConvertible {
    /// A system call failed; `errno` is captured at the point of failure.
    case system(String, Int32)
    /// Something did not happen within its time limit.
    case timeout(String)
    /// The fulcrum executable could not be found.
    case binaryNotFound(String)
    /// A child process exited while the test still needed it.
    case processExited(String)
    /// Any other precondition the harness could not meet.
    case failed(String)

    /// Builds `.system` from the current `errno`.
    static func posix(_ call: String) -> HarnessError {
        .system(call, errno)
    }

    var description: String {
        switch self {
        case let .system(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .timeout(what):
            return "timed out: \(what)"
        case let .binaryNotFound(message):
            return message
        case let .processExited(message):
            return message
        case let .failed(message):
            return message
        }
    }
}
