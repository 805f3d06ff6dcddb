import FulcrumHTTP

/// Server `redir PREFIX`: HAProxy answers a GET or HEAD bound for such a
/// server itself, with a 302 to the prefix followed by the request's path
/// (query included), and closes the client connection; other methods, and
/// a target without a path, go to the server as usual.
public enum ServerRedirect {
    /// HAProxy's 302 for `target`, or nil when this request is forwarded.
    public static func response(prefix: [UInt8], method: ArraySlice<UInt8>, target: ArraySlice<UInt8>) -> [UInt8]? {
        guard method.elementsEqual("GET".utf8) || method.elementsEqual("HEAD".utf8) else { return nil }
        let path = HTTPMonitorRequest.path(of: target)
        guard !path.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(120 + prefix.count + path.count)
        out.append(contentsOf: "HTTP/1.1 302 Found\r\nCache-Control: no-cache\r\nContent-Length: 0\r\nLocation: ".utf8)
        // The prefix "/" alone keeps the URL as it is (HAProxy's special case).
        if prefix != [UInt8(ascii: "/")] { out.append(contentsOf: prefix) }
        out.append(contentsOf: path)
        out.append(contentsOf: "\r\nConnection: close\r\n\r\n".utf8)
        return out
    }
}
