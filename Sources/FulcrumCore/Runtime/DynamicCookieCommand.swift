/// HAProxy 2.6's `set dynamic-cookie-key backend B KEY` and `enable|disable
/// dynamic-cookie backend B`: answered by the master (an empty answer, or
/// HAProxy's error), then applied by every worker to its copy of the
/// backend's server cookies (and replayed to a worker started later).
public enum DynamicCookieCommand: Equatable, Sendable {
    case setKey(backend: String, key: String)
    case enable(backend: String)
    case disable(backend: String)

    /// nil when `words` is not one of these commands; `.failure` carries
    /// HAProxy's answer to a malformed one.
    public static func parse(_ words: [String]) -> Result<DynamicCookieCommand, RuntimeCommandError>? {
        if words.count >= 3, words[0] == "set", words[1] == "dynamic-cookie-key", words[2] == "backend" {
            guard words.count >= 4 else { return .failure(RuntimeCommandError("Require a backend name.\n")) }
            guard words.count >= 5, !words[4].isEmpty else { return .failure(RuntimeCommandError("String value expected.\n")) }
            return .success(.setKey(backend: words[3], key: words[4]))
        }
        if words.count >= 3, words[0] == "enable" || words[0] == "disable", words[1] == "dynamic-cookie", words[2] == "backend" {
            guard words.count >= 4 else { return .failure(RuntimeCommandError("Require a backend name.\n")) }
            return .success(words[0] == "enable" ? .enable(backend: words[3]) : .disable(backend: words[3]))
        }
        return nil
    }

    public var backend: String {
        switch self {
        case .setKey(let b, _), .enable(let b), .disable(let b): return b
        }
    }

    /// The master's answer: HAProxy prints nothing on success.
    public static func answer(_ words: [String], backends: Set<String>) -> (text: String, command: DynamicCookieCommand?)? {
        guard let parsed = parse(words) else { return nil }
        switch parsed {
        case .failure(let e): return (e.message, nil)
        case .success(let c):
            guard backends.contains(c.backend) else { return ("No such backend.\n", nil) }
            return ("", c)
        }
    }
}

/// An answer text for a runtime command refused before it ran.
public struct RuntimeCommandError: Error, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
