/// Passive health checking (`observe layer4|layer7`, `error-limit`): counts
/// consecutive errors seen on live traffic and, at the limit, yields the
/// verdict that the checker applies with `HealthState.apply(onError:...)`.
/// A good exchange or a passing health check resets the count.
public struct ErrorObserver: Equatable, Sendable {
    public enum Mode: Sendable { case layer4, layer7 }

    /// What live traffic showed (HAProxy's HANA_STATUS_*).
    public enum Event: Sendable, CaseIterable {
        case l4Connected, l4Failed
        case httpOK, httpWrongStatus, httpInvalidHeaders, httpInvalid
        case httpReadError, httpReadTimeout, httpServerClosed

        /// HAProxy's words, quoted in the verdict's info.
        public var text: String {
            switch self {
            case .l4Connected: return "L4 successful connection"
            case .l4Failed: return "L4 unsuccessful connection"
            case .httpOK: return "Correct http response"
            case .httpWrongStatus: return "Wrong http response"
            case .httpInvalidHeaders: return "Invalid http response (headers)"
            case .httpInvalid: return "Invalid http response"
            case .httpReadError: return "Read error (http)"
            case .httpReadTimeout: return "Read timeout (http)"
            case .httpServerClosed: return "Close from server (http)"
            }
        }

        /// nil: the mode ignores this event; true: error; false: success.
        func isError(in mode: Mode) -> Bool? {
            switch (self, mode) {
            case (.l4Connected, .layer4): return false
            case (.l4Connected, .layer7): return nil
            case (.l4Failed, _): return true
            case (_, .layer4): return nil
            case (.httpOK, .layer7): return false
            case (_, .layer7): return true
            }
        }
    }

    public let mode: Mode
    public let errorLimit: Int
    public private(set) var consecutiveErrors = 0

    public init(mode: Mode, errorLimit: Int = 10) {
        self.mode = mode; self.errorLimit = errorLimit
    }

    /// Returns the HANA verdict when this event makes `errorLimit` errors in a
    /// row (and restarts counting), else nil.
    public mutating func observe(_ event: Event) -> CheckResult? {
        guard let isError = event.isError(in: mode) else { return nil }
        guard isError else { consecutiveErrors = 0; return nil }
        consecutiveErrors += 1
        guard consecutiveErrors >= errorLimit else { return nil }
        let info = "Detected \(consecutiveErrors) consecutive errors, last one was: \(event.text)"
        consecutiveErrors = 0
        return CheckResult(status: .healthAnalyze, info: info, durationMs: -1)
    }

    /// A passing health check clears the count, as in HAProxy.
    public mutating func checkPassed() { consecutiveErrors = 0 }
}
