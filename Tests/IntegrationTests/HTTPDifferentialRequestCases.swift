/// The request side of the differential corpus (HTTPDifferentialTests): bytes
/// a client sends. It starts with HTTPStrictnessTests' corpus (held there to
/// HAProxy's status) and adds framing spellings, chunk syntax, line ends,
/// targets, Host, Expect, Upgrade/CONNECT, trailers, limits, pipelining and
/// HTTP/1.0 keep-alive. A case is a name and bytes; what each proxy did with
/// it is docs/http-differential.md.
enum HTTPDifferentialRequestCases {
    struct Case {
        var name: String
        var bytes: [UInt8]
    }

    /// Each character is one byte (its scalar value truncated to 8 bits).
    static func b(_ text: String) -> [UInt8] { text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
    private static func c(_ name: String, _ text: String) -> Case { Case(name: name, bytes: b(text)) }

    static let get = "GET / HTTP/1.1\r\nHost: a\r\n"
    static let post = "POST / HTTP/1.1\r\nHost: a\r\n"
    static let chunked = post + "Transfer-Encoding: chunked\r\n"
    static let second = "GET /second HTTP/1.1\r\nHost: a\r\n\r\n"

    static let all: [Case] = HTTPStrictnessTests.corpus.map { Case(name: $0.name, bytes: $0.bytes) } + added

    static let added: [Case] = [
        // Content-Length and Transfer-Encoding spellings.
        c("TE Chunked (mixed case)", post + "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE chunked with trailing space", post + "Transfer-Encoding: chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE chunked with trailing comma", post + "Transfer-Encoding: chunked,\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE with leading comma", post + "Transfer-Encoding: ,chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE identity, chunked", post + "Transfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE gzip then chunked on two lines", post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE chunked and Content-Length 0", post + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE quoted chunked", post + "Transfer-Encoding: \"chunked\"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("Transfer_Encoding with underscore and CL", post + "Content-Length: 5\r\nTransfer_Encoding: chunked\r\n\r\n0\r\n\r\n"),
        c("TE with tab before colon", post + "Transfer-Encoding\t: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("TE name with 8-bit byte", post + "Transfer-Encod\u{EF}ng: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
        c("TE value chunked;q=1", post + "Transfer-Encoding: chunked;q=1\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("CL with trailing space", post + "Content-Length: 5 \r\n\r\nhello"),
        c("CL with leading zeros", post + "Content-Length: 005\r\n\r\nhello"),
        c("CL list of equal values", post + "Content-Length: 5, 5\r\n\r\nhello"),
        c("CL with trailing comma", post + "Content-Length: 5,\r\n\r\nhello"),
        c("Content_Length with underscore", post + "Content_Length: 5\r\n\r\nhello"),
        c("CL 0 and a second request behind", post + "Content-Length: 0\r\n\r\n" + second),
        c("CL shorter than the body", post + "Content-Length: 3\r\n\r\nhello" + second),
        c("CL longer than the body sent", post + "Content-Length: 10\r\n\r\nhello"),
        c("GET with a Content-Length body", get + "Content-Length: 5\r\n\r\nhello"),
        c("GET with a chunked body", get + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("HEAD with a Content-Length body", "HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"),
        c("OPTIONS with a chunked body", "OPTIONS / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("CL 0 on POST", post + "Content-Length: 0\r\n\r\n"),
        c("POST without a body length", post + "\r\n"),
        // Chunk syntax.
        c("chunk extension", chunked + "\r\n5;name=value\r\nhello\r\n0\r\n\r\n"),
        c("chunk extension with a quoted string", chunked + "\r\n5;a=\"b;c\"\r\nhello\r\n0\r\n\r\n"),
        c("chunk extension with a bare LF", chunked + "\r\n5;a\nb\r\nhello\r\n0\r\n\r\n"),
        c("chunk extension with a bare CR", chunked + "\r\n5;a\rb\r\nhello\r\n0\r\n\r\n"),
        c("chunk extension 8000 bytes", chunked + "\r\n5;" + String(repeating: "x", count: 8000) + "\r\nhello\r\n0\r\n\r\n"),
        c("chunk extension without a name", chunked + "\r\n5;\r\nhello\r\n0\r\n\r\n"),
        c("chunk size with leading zeros", chunked + "\r\n0005\r\nhello\r\n0\r\n\r\n"),
        c("chunk size in uppercase hex", chunked + "\r\nA\r\n0123456789\r\n0\r\n\r\n"),
        c("chunk size 0x5", chunked + "\r\n0x5\r\nhello\r\n0\r\n\r\n"),
        c("chunk size with a trailing space", chunked + "\r\n5 \r\nhello\r\n0\r\n\r\n"),
        c("chunk size with a trailing tab", chunked + "\r\n5\t\r\nhello\r\n0\r\n\r\n"),
        c("chunk data shorter than its size", chunked + "\r\n6\r\nhello\r\n0\r\n\r\n"),
        c("last chunk 00", chunked + "\r\n5\r\nhello\r\n00\r\n\r\n"),
        c("last chunk without the final CRLF", chunked + "\r\n5\r\nhello\r\n0\r\n"),
        c("chunk size line ended by CR only", chunked + "\r\n5\rhello\r\n0\r\n\r\n"),
        c("chunk data ended by LF only", chunked + "\r\n5\r\nhello\n0\r\n\r\n"),
        c("chunk of 65536 bytes", chunked + "\r\n10000\r\n" + String(repeating: "a", count: 65536) + "\r\n0\r\n\r\n"),
        c("chunk size 7fffffffffffffff", chunked + "\r\n7fffffffffffffff\r\nhello\r\n0\r\n\r\n"),
        c("chunk size 16 hex digits", chunked + "\r\n0000000000000005\r\nhello\r\n0\r\n\r\n"),
        c("50 one-byte chunks", chunked + "\r\n" + String(repeating: "1\r\nx\r\n", count: 50) + "0\r\n\r\n"),
        c("chunked with a request behind", chunked + "\r\n5\r\nhello\r\n0\r\n\r\n" + second),
        // Trailers.
        c("trailer field", chunked + "\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
        c("Content-Length in the trailers", chunked + "\r\n5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n"),
        c("Transfer-Encoding in the trailers", chunked + "\r\n5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n"),
        c("obs-fold in the trailers", chunked + "\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n 2\r\n\r\n"),
        c("trailer without a colon", chunked + "\r\n5\r\nhello\r\n0\r\nbroken\r\n\r\n"),
        c("trailers announced with TE: trailers", chunked + "TE: trailers\r\nTrailer: X-T\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
        // Bare CR, bare LF, NUL.
        c("bare CR ending the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n"),
        c("LF after the request line, CRLF after fields", "GET / HTTP/1.1\nHost: a\r\n\r\n"),
        c("bare LF in a value hiding a field", get + "X-A: a\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("bare CR in a value hiding a field", get + "X-A: a\rTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("NUL in a field name", get + "X-\u{0}A: b\r\n\r\n"),
        c("NUL in the method", "G\u{0}ET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("NUL after the head", get + "\r\n\u{0}"),
        c("head ended by CRLF LF", get + "\n"),
        c("head ended by LF CRLF", "GET / HTTP/1.1\r\nHost: a\n\r\n"),
        c("DEL in a value", get + "X-A: a\u{7F}b\r\n\r\n"),
        c("form feed in a value", get + "X-A: a\u{0C}b\r\n\r\n"),
        // obs-fold.
        c("obs-fold with a tab", get + "X-A: one\r\n\ttwo\r\n\r\n"),
        c("obs-fold in Content-Length", post + "Content-Length:\r\n 5\r\n\r\nhello"),
        c("obs-fold in Host", "GET / HTTP/1.1\r\nHost: a\r\n .b\r\n\r\n"),
        c("obs-fold after the last field", get + "X-A: one\r\n \r\n\r\n"),
        // Methods, targets, versions.
        c("lowercase method", "get / HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("unknown method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("tabs between the request line's parts", "GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n"),
        c("method of 100 bytes", String(repeating: "M", count: 100) + " / HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("GET *", "GET * HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("target without a slash", "GET a HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("target with a fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("target with dot segments", "GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("target with %00", "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("target with a quote and angle brackets", "GET /\"<a> HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("HTTP/1.0 with Host", "GET / HTTP/1.0\r\nHost: a\r\n\r\n"),
        c("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n"),
        c("version HTTP/0.9 with fields", "GET / HTTP/0.9\r\nHost: a\r\n\r\n"),
        c("version HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n"),
        c("version HTTP/3", "GET / HTTP/3\r\nHost: a\r\n\r\n"),
        c("version missing after a space", "GET / \r\nHost: a\r\n\r\n"),
        c("space after the version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"),
        c("version HTTP/01.1", "GET / HTTP/01.1\r\nHost: a\r\n\r\n"),
        // Absolute form and Host.
        c("absolute-form matching Host", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("absolute-form without Host", "GET http://a/ HTTP/1.1\r\n\r\n"),
        c("absolute-form https", "GET https://a/ HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("absolute-form with userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("absolute-form with a port, Host without", "GET http://a:80/ HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("absolute-form with an empty host", "GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("authority-form on GET", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n"),
        c("Host with a port", "GET / HTTP/1.1\r\nHost: a:8080\r\n\r\n"),
        c("Host twice, same value", get + "Host: a\r\n\r\n"),
        c("Host list of two", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n"),
        c("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"),
        c("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
        c("Host with a trailing dot", "GET / HTTP/1.1\r\nHost: a.\r\n\r\n"),
        // Expect.
        c("Expect 100-continue with the body", post + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"),
        c("Expect 100-continue without the body", post + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"),
        c("Expect 100-continue on a GET", get + "Expect: 100-continue\r\n\r\n"),
        c("Expect of an unknown kind", post + "Expect: tea\r\nContent-Length: 5\r\n\r\nhello"),
        c("Expect 100-continue in HTTP/1.0", "POST / HTTP/1.0\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"),
        // Upgrade and CONNECT.
        c("Upgrade websocket", get + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"),
        c("Upgrade h2c", get + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"),
        c("Upgrade without Connection: upgrade", get + "Upgrade: websocket\r\n\r\n"),
        c("Upgrade with a body", post + "Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello"),
        c("Upgrade with a request behind", get + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n" + second),
        c("CONNECT to an authority", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"),
        c("CONNECT with a body", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 5\r\n\r\nhello"),
        c("CONNECT to a path", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("CONNECT with a request behind", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n" + second),
        // Field count and size limits.
        c("99 header fields", get + (0..<98).map { "X-H\($0): v\r\n" }.joined() + "\r\n"),
        c("field value of 8000 bytes", get + "X-Big: " + String(repeating: "v", count: 8000) + "\r\n\r\n"),
        c("field value of 9000 bytes", get + "X-Big: " + String(repeating: "v", count: 9000) + "\r\n\r\n"),
        c("field name of 1000 bytes", get + String(repeating: "N", count: 1000) + ": v\r\n\r\n"),
        c("URI of 8000 bytes", "GET /" + String(repeating: "u", count: 8000) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("200 cookies", get + (0..<200).map { "Cookie: c\($0)=v\r\n" }.joined() + "\r\n"),
        // Pipelining.
        c("two GETs pipelined", get + "\r\n" + second),
        c("GET, POST with a body, GET pipelined", get + "\r\n" + post + "Content-Length: 5\r\n\r\nhello" + second),
        c("pipelined request after a malformed one", "G(ET / HTTP/1.1\r\nHost: a\r\n\r\n" + second),
        c("malformed request after a good one", get + "\r\n" + "G(ET /second HTTP/1.1\r\nHost: a\r\n\r\n"),
        c("request after Connection: close", get + "Connection: close\r\n\r\n" + second),
        c("ten GETs pipelined", String(repeating: get + "\r\n", count: 10)),
        // HTTP/1.0 keep-alive and hop-by-hop fields.
        c("HTTP/1.0 keep-alive, two requests", "GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\nGET /second HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"),
        c("HTTP/1.0 without keep-alive, two requests", "GET / HTTP/1.0\r\nHost: a\r\n\r\nGET /second HTTP/1.0\r\nHost: a\r\n\r\n"),
        c("HTTP/1.0 keep-alive POST with a body", "POST / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello" + second),
        c("HTTP/1.0 POST without a length", "POST / HTTP/1.0\r\nHost: a\r\n\r\nhello"),
        c("Connection: keep-alive, close", get + "Connection: keep-alive, close\r\n\r\n" + second),
        c("Connection naming X-A", get + "Connection: X-A\r\nX-A: secret\r\n\r\n"),
        c("Connection naming Content-Length", post + "Connection: Content-Length\r\nContent-Length: 5\r\n\r\nhello"),
        c("Connection naming Transfer-Encoding", chunked + "Connection: Transfer-Encoding\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        c("Connection naming Host", get + "Connection: Host\r\n\r\n"),
        c("Keep-Alive and Proxy-Connection fields", get + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n\r\n"),
        // Field syntax.
        c("field with an empty value", get + "X-A:\r\n\r\n"),
        c("field value with trailing whitespace", get + "X-A: b \t\r\n\r\n"),
        c("field value in UTF-8", get + "X-A: caf\u{C3}\u{A9}\r\n\r\n"),
        c("8-bit byte in a field name", get + "X-\u{E9}: b\r\n\r\n"),
        c("field name with a slash", get + "X/A: b\r\n\r\n"),
    ]
}
