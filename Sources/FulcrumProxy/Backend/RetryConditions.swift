import FulcrumConfig

/// A backend's `retry-on`, compiled once: what a failed connection, a bad
/// response or a status is checked against, without a String per response
/// (the model keeps HAProxy's words, `ModelHTTP.retryOn`).
struct RetryConditions {
    /// Why a request may be replayed on another connection.
    enum Cause: Equatable {
        case connectFailure, emptyResponse, junkResponse, responseTimeout
        case status(Int)
    }

    private var connectFailure = false, emptyResponse = false, junkResponse = false, responseTimeout = false
    private var statuses: [Int] = []

    init(_ words: [String]) {
        for w in words {
            switch w {
            case "connect-failure": connectFailure = true
            case "empty-response": emptyResponse = true
            case "junk-response": junkResponse = true
            case "response-timeout": responseTimeout = true
            default: if let n = Int(w) { statuses.append(n) }
            }
        }
    }

    func covers(_ cause: Cause) -> Bool {
        switch cause {
        case .connectFailure: return connectFailure
        case .emptyResponse: return emptyResponse
        case .junkResponse: return junkResponse
        case .responseTimeout: return responseTimeout
        case .status(let n): return statuses.contains(n)
        }
    }
}
