/// A refused message: the status HAProxy answers with (400 for a bad request,
/// 502 for a bad response, ...) and a short reason for logs.
public struct HTTPError: Error, Equatable, Sendable {
    public var status: Int
    public var reason: String
    public init(status: Int, reason: String) { self.status = status; self.reason = reason }
}
