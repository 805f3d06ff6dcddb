import FulcrumConfig
import FulcrumHTTP

/// `option forwardfor`: appends the client address in X-Forwarded-For (or
/// `header NAME`), unless the client is in `except NET` or, with `if-none`,
/// the request already carries the field.
public enum ForwardedFor {
    /// The `except` network parsed once; throws when it is not a network.
    public struct Compiled: Sendable {
        public let config: ForwardFor
        let except: ACLNetwork?
        public init(_ f: ForwardFor) throws {
            config = f
            if let e = f.except {
                guard let n = ACLNetwork(e) else { throw HTTPRulesError("option forwardfor: 'except \(e)' is not a network") }
                except = n
            } else { except = nil }
        }

        public func apply(head: inout HTTPHead, source: [UInt8]) {
            if let except, let s = ACLNetwork.normalize(source), except.contains(s) { return }
            if config.ifNone && !head.values(of: config.header).isEmpty { return }
            head.add(config.header, ACLNetwork.format(source))
        }
    }

    /// Convenience that parses `except` on each call (an unparsable network excludes nobody).
    public static func apply(_ f: ForwardFor, head: inout HTTPHead, source: [UInt8]) {
        var g = f
        if let e = f.except, ACLNetwork(e) == nil { g.except = nil }
        (try? Compiled(g))?.apply(head: &head, source: source)
    }
}
