import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// Responses the proxy writes itself (deny pages, `return`, 401 challenges),
/// byte for byte as HAProxy 2.6 sends them through its HTTP/1 mux: lower-case
/// field names, and the `connection` field the mux adds for the client.
public enum HTTPGeneratedResponse {
    /// Whether the client connection closes after a generated response, and
    /// the `connection` field HAProxy's mux writes: HTTP/1.0 clients get
    /// "close" unless they asked for keep-alive ("keep-alive" then), HTTP/1.1
    /// clients get "close" only when they sent it or the proxy closes anyway.
    public static func connection(for request: HTTPHead, mode: HTTPConnectionMode = .keepAlive,
                                  forceClose: Bool = false) -> (field: String?, close: Bool) {
        var close = false, keepAlive = false
        for v in request.fieldValues(named: "connection") {
            for t in v.listElements() {
                if ASCII.equalsIgnoringCase(t, "close".utf8) { close = true }
                if ASCII.equalsIgnoringCase(t, "keep-alive".utf8) { keepAlive = true }
            }
        }
        if forceClose || mode == .close || close { return ("close", true) }
        if request.version == .http10 { return keepAlive ? ("keep-alive", false) : ("close", true) }
        return (nil, false)
    }

    /// HAProxy's built-in error pages (the statuses `deny_status` accepts).
    public static let errorPageStatuses: [Int] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 425, 429, 500, 501, 502, 503, 504]

    static let errorPageTexts: [Int: (reason: String, text: String)] = [
        200: ("OK", "Service ready."),
        400: ("Bad request", "Your browser sent an invalid request."),
        401: ("Unauthorized", "You need a valid user and password to access this content."),
        403: ("Forbidden", "Request forbidden by administrative rules."),
        404: ("Not Found", "The resource could not be found."),
        405: ("Method Not Allowed", "A request was made of a resource using a request method not supported by that resource"),
        407: ("Unauthorized", "You need a valid user and password to access this content."),
        408: ("Request Time-out", "Your browser didn't send a complete request in time."),
        410: ("Gone", "The resource is no longer available and will not be available again."),
        413: ("Payload Too Large", "The request entity exceeds the maximum allowed."),
        421: ("Misdirected Request", "Request sent to a non-authoritative server."),
        425: ("Too Early", "Your browser sent early data."),
        429: ("Too Many Requests", "You have sent too many requests in a given amount of time."),
        500: ("Internal Server Error", "An internal server error occurred."),
        501: ("Not Implemented", ".The server does not support the functionality required to fulfill the request."),
        502: ("Bad Gateway", "The server returned an invalid or incomplete response."),
        503: ("Service Unavailable", "No server is available to handle this request."),
        504: ("Gateway Time-out", "The server didn't respond in time."),
    ]

    /// The built-in page for `status` (nil when HAProxy has none), with extra
    /// fields after content-type (`www-authenticate` for 401). 400 and 408
    /// always close, as in HAProxy.
    public static func errorPage(status: Int, extraFields: [(String, String)] = [],
                                 connection: (field: String?, close: Bool)) -> (bytes: [UInt8], close: Bool)? {
        guard let page = errorPageTexts[status] else { return nil }
        var conn = connection
        if status == 400 || status == 408 { conn = ("close", true) }
        let body = "<html><body><h1>\(status) \(page.reason)</h1>\n\(page.text)\n</body></html>\n"
        var head = "HTTP/1.1 \(status) \(page.reason)\r\ncontent-length: \(body.utf8.count)\r\n"
            + "cache-control: no-cache\r\ncontent-type: text/html\r\n"
        for (n, v) in extraFields { head += "\(n): \(v)\r\n" }
        if let f = conn.field { head += "connection: \(f)\r\n" }
        return (Array((head + "\r\n" + body).utf8), conn.close)
    }

    /// `http-request return`: status line, the rule's `hdr` fields, then
    /// content-length (not for 1xx/204/304) and content-type (with a body).
    public static func reply(status: Int, contentType: String?, body: [UInt8], fields: [(String, String)],
                             connection: (field: String?, close: Bool)) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason(status))\r\n"
        for (n, v) in fields { head += "\(n.lowercased()): \(v)\r\n" }
        if !(status < 200 || status == 204 || status == 304) { head += "content-length: \(body.count)\r\n" }
        if !body.isEmpty, let contentType { head += "content-type: \(contentType)\r\n" }
        if let f = connection.field { head += "connection: \(f)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// Reason phrases HAProxy writes for a status (http_get_reason).
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 102: return "Processing"
        case 103: return "Early Hints"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 203: return "Non-Authoritative Information"
        case 204: return "No Content"
        case 205: return "Reset Content"
        case 206: return "Partial Content"
        case 207: return "Multi-Status"
        case 210: return "Content Different"
        case 226: return "IM Used"
        case 300: return "Multiple Choices"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 305: return "Use Proxy"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 310: return "Too many Redirects"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 407: return "Proxy Authentication Required"
        case 408: return "Request Time-out"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Request Entity Too Large"
        case 414: return "Request-URI Too Long"
        case 415: return "Unsupported Media Type"
        case 416: return "Requested range unsatisfiable"
        case 417: return "Expectation failed"
        case 418: return "I'm a teapot"
        case 421: return "Misdirected Request"
        case 422: return "Unprocessable Content"
        case 423: return "Locked"
        case 424: return "Method failure"
        case 425: return "Too Early"
        case 426: return "Upgrade Required"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 449: return "Retry With"
        case 450: return "Blocked by Windows Parental Controls"
        case 451: return "Unavailable For Legal Reasons"
        case 456: return "Unrecoverable Error"
        case 499: return "client has closed connection"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway or Proxy Error"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Time-out"
        case 505: return "HTTP Version not supported"
        case 506: return "Variant also negotiate"
        case 507: return "Insufficient storage"
        case 508: return "Loop detected"
        case 509: return "Bandwidth Limit Exceeded"
        case 510: return "Not extended"
        case 511: return "Network authentication required"
        case 520: return "Web server is returning an unknown error"
        default:
            switch status {
            case 100..<200: return "Informational"
            case 200..<300: return "Success"
            case 300..<400: return "Redirection"
            case 400..<500: return "Client Error"
            case 500..<600: return "Server Error"
            default: return "Other"
            }
        }
    }
}
