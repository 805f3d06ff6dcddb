/// A refused message: the status HAProxy answers with (400 for a bad request,
/// 502 for a bad response, ...) and a short reason for logs.
public struct HTTPError: Error, Equatable, Sendable {
    public var status: Int
    public var reason: String
    /// Where in the message HAProxy says the error is (`show errors`' "error
    /// at position"): an offset into the head's bytes, or into the bytes a
    /// body parser was fed. Not part of the error's identity.
    public var at: Int?
    public init(status: Int, reason: String, at: Int? = nil) { self.status = status; self.reason = reason; self.at = at }

    public static func == (a: HTTPError, b: HTTPError) -> Bool { a.status == b.status && a.reason == b.reason }
}
