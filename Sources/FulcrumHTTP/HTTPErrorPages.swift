/// HAProxy 2.6's built-in error responses, byte for byte as it sends them
/// (captured from haproxy 2.6.12 with `http-request deny deny_status N`,
/// `monitor-uri`, parse errors and timeouts).
///
/// HAProxy writes them in two shapes:
/// - `response(status:)`: a reply of the stream (deny, return, monitor,
///   503/504 ...), serialized from HTX: lowercase field names, and
///   "connection: close" only for 400 and 408, after which it closes;
/// - `connectionError(status:)`: the raw message the HTTP/1 connection layer
///   writes itself when a request cannot be parsed (400), arrives too slowly
///   (408) or uses an unsupported transfer coding (422): field names as in
///   HAProxy's source, "Connection: close" before "Content-Type" (not for 422).
public enum HTTPErrorPages {
    /// The status code of a complete response's status line ("HTTP/1.x NNN"),
    /// for the record of a stream that answered locally.
    public static func status(of response: [UInt8]) -> Int? {
        guard response.count >= 12, response[8] == 0x20 else { return nil }
        var v = 0
        for b in response[9..<12] {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    /// Statuses HAProxy has a page for (what `deny_status` and `errorfile` accept).
    public static let statuses: [Int] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 422, 425, 429,
                                         500, 501, 502, 503, 504]

    /// The page for `status`; a status HAProxy has no page for gets the 500
    /// page (the configuration refuses such statuses, as HAProxy does).
    public static func response(status: Int) -> [UInt8] {
        page(status: status) ?? page(status: 500)!
    }

    /// The page for `status`, nil when HAProxy has none.
    public static func page(status: Int) -> [UInt8]? {
        guard let t = text(status) else { return nil }
        let close = status == 400 || status == 408
        return build(status, t, [
            "content-length: \(body(status, t).utf8.count)", "cache-control: no-cache", "content-type: text/html",
        ] + (close ? ["connection: close"] : []))
    }

    /// Whether the client connection ends once `page` is sent: when the
    /// caller says so, and always for an empty page. `errorfile <code>
    /// /dev/null` is HAProxy's documented way to answer nothing (its guide's
    /// example silences Chrome's pre-connect 408): with no response to read,
    /// only a close tells the client, and HAProxy closes at once.
    public static func closesConnection(after page: [UInt8], requested: Bool) -> Bool {
        requested || page.isEmpty
    }

    /// The connection layer's own message for 400, 408 and 422; other
    /// statuses get `response(status:)`.
    public static func connectionError(status: Int) -> [UInt8] {
        guard status == 400 || status == 408 || status == 422, let t = text(status) else { return response(status: status) }
        let len = "Content-length: \(body(status, t).utf8.count)"
        return build(status, t, status == 422
            ? [len, "Cache-Control: no-cache", "Content-Type: text/html"]
            : [len, "Cache-Control: no-cache", "Connection: close", "Content-Type: text/html"])
    }

    static func build(_ status: Int, _ t: (reason: String, message: String), _ fields: [String]) -> [UInt8] {
        var s = "HTTP/1.1 \(status) \(t.reason)\r\n"
        for f in fields { s += f + "\r\n" }
        s += "\r\n" + body(status, t)
        return Array(s.utf8)
    }

    static func body(_ status: Int, _ t: (reason: String, message: String)) -> String {
        "<html><body><h1>\(status) \(t.reason)</h1>\n\(t.message)\n</body></html>\n"
    }

    /// Reason phrases and messages as HAProxy has them (407's "Unauthorized"
    /// and 501's leading '.' included).
    static func text(_ status: Int) -> (reason: String, message: String)? {
        switch status {
        case 200: return ("OK", "Service ready.")
        case 400: return ("Bad request", "Your browser sent an invalid request.")
        case 401: return ("Unauthorized", "You need a valid user and password to access this content.")
        case 403: return ("Forbidden", "Request forbidden by administrative rules.")
        case 404: return ("Not Found", "The resource could not be found.")
        case 405: return ("Method Not Allowed",
                          "A request was made of a resource using a request method not supported by that resource")
        case 407: return ("Unauthorized", "You need a valid user and password to access this content.")
        case 408: return ("Request Time-out", "Your browser didn't send a complete request in time.")
        case 410: return ("Gone", "The resource is no longer available and will not be available again.")
        case 413: return ("Payload Too Large", "The request entity exceeds the maximum allowed.")
        case 422: return ("Unprocessable Content", "The server cannot process the contained instructions.")
        case 425: return ("Too Early", "Your browser sent early data.")
        case 429: return ("Too Many Requests", "You have sent too many requests in a given amount of time.")
        case 500: return ("Internal Server Error", "An internal server error occurred.")
        case 501: return ("Not Implemented",
                          ".The server does not support the functionality required to fulfill the request.")
        case 502: return ("Bad Gateway", "The server returned an invalid or incomplete response.")
        case 503: return ("Service Unavailable", "No server is available to handle this request.")
        case 504: return ("Gateway Time-out", "The server didn't respond in time.")
        default: return nil
        }
    }
}
