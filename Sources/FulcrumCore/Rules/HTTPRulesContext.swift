import FulcrumConfig
import FulcrumHTTP

/// Connection facts the sample fetches need (`src`, `dst`, ports). Addresses
/// are the raw network-order bytes: 4 for IPv4, 16 for IPv6.
public struct HTTPConnectionInfo: Sendable {
    public var source: (bytes: [UInt8], port: Int)
    public var destination: (bytes: [UInt8], port: Int)
    public init(source: (bytes: [UInt8], port: Int), destination: (bytes: [UInt8], port: Int)) {
        self.source = source; self.destination = destination
    }
}

/// What rules look at: the request head (edited in place by request rules),
/// the response head once there is one (http-response rules), and the
/// connection's addresses.
public struct HTTPRuleContext: Sendable {
    public var request: HTTPHead
    public var response: HTTPHead?
    public var connection: HTTPConnectionInfo
    /// http-response rules run with this set: as in HAProxy, request-only
    /// fetches (path, method, url_param, ...) never match there, and `hdr()` /
    /// `cook()` mean the response's.
    public var responsePhase = false
    public init(request: HTTPHead, response: HTTPHead? = nil, connection: HTTPConnectionInfo) {
        self.request = request; self.response = response; self.connection = connection
    }
}

/// Errors raised while compiling ACLs and rules at worker start: each names
/// what is wrong so the configuration can be fixed.
public struct HTTPRulesError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
