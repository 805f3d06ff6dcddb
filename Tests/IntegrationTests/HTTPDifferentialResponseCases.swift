/// The response side of the differential corpus (HTTPDifferentialTests):
/// bytes a server answers (then closes) to `METHOD / HTTP/1.1`. A case is a
/// name, the request's method and the response bytes; what each proxy passed
/// on to the client is docs/http-differential.md.
enum HTTPDifferentialResponseCases {
    struct Case {
        var name: String
        var method = "GET"
        var bytes: [UInt8]
    }

    private static func c(_ name: String, _ text: String, method: String = "GET") -> Case {
        Case(name: name, method: method, bytes: HTTPDifferentialRequestCases.b(text))
    }

    static let ok = "HTTP/1.1 200 OK\r\n"
    static let te = ok + "Transfer-Encoding: chunked\r\n"

    static let all: [Case] = [
        // Framing.
        c("Content-Length", ok + "Content-Length: 5\r\n\r\nhello"),
        c("chunked", te + "\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("CL then TE", ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE then CL", te + "Content-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("two different Content-Lengths", ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        c("two equal Content-Lengths", ok + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
        c("Content-Length list of equal values", ok + "Content-Length: 5, 5\r\n\r\nhello"),
        c("Content-Length +5", ok + "Content-Length: +5\r\n\r\nhello"),
        c("Content-Length -1", ok + "Content-Length: -1\r\n\r\nhello"),
        c("Content-Length hex", ok + "Content-Length: 0x5\r\n\r\nhello"),
        c("Content-Length shorter than the body", ok + "Content-Length: 3\r\n\r\nhello"),
        c("Content-Length longer than the body", ok + "Content-Length: 10\r\n\r\nhello"),
        c("Content-Length 99999999999999999999", ok + "Content-Length: 99999999999999999999\r\n\r\nhello"),
        c("no length: body until close", ok + "\r\nhello"),
        c("TE gzip without chunked", ok + "Transfer-Encoding: gzip\r\n\r\nhello"),
        c("TE chunked, gzip", ok + "Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE xchunked", ok + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE Chunked (mixed case)", ok + "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE chunked twice", te + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE with space before colon", ok + "Transfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("chunked in an HTTP/1.0 response", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("Content-Length 0 then bytes", ok + "Content-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra"),
        c("a second response after the body", ok + "Content-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra"),
        // Chunk syntax and trailers.
        c("chunk extension", te + "\r\n5;name=value\r\nhello\r\n0\r\n\r\n"),
        c("chunk extension with a bare LF", te + "\r\n5;a\nb\r\nhello\r\n0\r\n\r\n"),
        c("chunk size not hex", te + "\r\nzz\r\nhello\r\n0\r\n\r\n"),
        c("chunk size overflow", te + "\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
        c("chunks with bare LF", te + "\n5\nhello\n0\n\n"),
        c("chunk without CRLF after data", te + "\r\n5\r\nhelloXX0\r\n\r\n"),
        c("chunk size with a trailing space", te + "\r\n5 \r\nhello\r\n0\r\n\r\n"),
        c("chunked body cut by close", te + "\r\n5\r\nhel"),
        c("trailer field", te + "\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
        c("Content-Length in the trailers", te + "\r\n5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n"),
        // Field syntax and line ends.
        c("obs-fold in a field", ok + "X-A: one\r\n two\r\nContent-Length: 5\r\n\r\nhello"),
        c("obs-fold hiding Transfer-Encoding", ok + "Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("bare CR in a value", ok + "X-A: a\rb\r\nContent-Length: 5\r\n\r\nhello"),
        c("bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello"),
        c("bare LF in a value hiding a field", ok + "X-A: a\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello"),
        c("NUL in a value", ok + "X-A: a\u{0}b\r\nContent-Length: 5\r\n\r\nhello"),
        c("space before a colon", ok + "Content-Length : 5\r\n\r\nhello"),
        c("field without a colon", ok + "Broken\r\nContent-Length: 5\r\n\r\nhello"),
        c("8000-byte field", ok + "X-Big: " + String(repeating: "v", count: 8000) + "\r\nContent-Length: 5\r\n\r\nhello"),
        c("Connection naming Content-Length", ok + "Connection: Content-Length\r\nContent-Length: 5\r\n\r\nhello"),
        // Status lines.
        c("status 099", "HTTP/1.1 099 Odd\r\nContent-Length: 5\r\n\r\nhello"),
        c("status 1000", "HTTP/1.1 1000 Odd\r\nContent-Length: 5\r\n\r\nhello"),
        c("status without a reason", "HTTP/1.1 200\r\nContent-Length: 5\r\n\r\nhello"),
        c("status 999", "HTTP/1.1 999 Odd\r\nContent-Length: 5\r\n\r\nhello"),
        c("HTTP/1.0 response", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        c("HTTP/2.0 status line", "HTTP/2.0 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        c("lowercase http/1.1", "http/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        c("garbage instead of a status line", "HELLO\r\n\r\nhello"),
        c("nothing, then close", ""),
        // Bodiless statuses, interim responses.
        c("204 with a body", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"),
        c("304 with a body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello"),
        c("100 then 200", "HTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 5\r\n\r\nhello"),
        c("two 100s then 200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 5\r\n\r\nhello"),
        c("102 then 200", "HTTP/1.1 102 Processing\r\n\r\n" + ok + "Content-Length: 5\r\n\r\nhello"),
        c("103 then 200", "HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n" + ok + "Content-Length: 5\r\n\r\nhello"),
        c("100 with a Content-Length", "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nhello" + ok + "Content-Length: 5\r\n\r\nhello"),
        c("101 without an Upgrade request", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhello"),
        c("HEAD answered with a body", ok + "Content-Length: 5\r\n\r\nhello", method: "HEAD"),
        c("HEAD answered chunked with a body", te + "\r\n5\r\nhello\r\n0\r\n\r\n", method: "HEAD"),
        c("HEAD answered without a length", ok + "\r\nhello", method: "HEAD"),
    ]
}
