import XCTest
@testable import FulcrumHTTP

/// Error pages compared byte for byte with what HAProxy 2.6.12 sent:
/// `http-request deny deny_status N` for each status (200 also from
/// `monitor-uri`), and for the connection-level messages a request with a
/// space in a field name (400), a request left unfinished past
/// `timeout http-request` (408) and "Transfer-Encoding: gzip, chunked" (422).
final class HTTPErrorPagesTests: XCTestCase {
    static let captured: [Int: String] = [
        200: "HTTP/1.1 200 OK\r\ncontent-length: 58\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n",
        400: "HTTP/1.1 400 Bad request\r\ncontent-length: 90\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n",
        401: "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n",
        403: "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n",
        404: "HTTP/1.1 404 Not Found\r\ncontent-length: 83\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n",
        405: "HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 146\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>405 Method Not Allowed</h1>\nA request was made of a resource using a request method not supported by that resource\n</body></html>\n",
        407: "HTTP/1.1 407 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>407 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n",
        408: "HTTP/1.1 408 Request Time-out\r\ncontent-length: 110\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n",
        410: "HTTP/1.1 410 Gone\r\ncontent-length: 114\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>410 Gone</h1>\nThe resource is no longer available and will not be available again.\n</body></html>\n",
        413: "HTTP/1.1 413 Payload Too Large\r\ncontent-length: 106\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n",
        422: "HTTP/1.1 422 Unprocessable Content\r\ncontent-length: 116\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n",
        425: "HTTP/1.1 425 Too Early\r\ncontent-length: 80\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>425 Too Early</h1>\nYour browser sent early data.\n</body></html>\n",
        429: "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n",
        500: "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 97\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n",
        501: "HTTP/1.1 501 Not Implemented\r\ncontent-length: 136\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>501 Not Implemented</h1>\n.The server does not support the functionality required to fulfill the request.\n</body></html>\n",
        502: "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n",
        503: "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n",
        504: "HTTP/1.1 504 Gateway Time-out\r\ncontent-length: 92\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n",
    ]

    static let capturedConnectionErrors: [Int: String] = [
        400: "HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n",
        408: "HTTP/1.1 408 Request Time-out\r\nContent-length: 110\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n",
        422: "HTTP/1.1 422 Unprocessable Content\r\nContent-length: 116\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n",
    ]

    func testStreamPagesMatchHAProxy() {
        XCTAssertEqual(Set(Self.captured.keys), Set(HTTPErrorPages.statuses))
        for (status, text) in Self.captured {
            XCTAssertEqual(String(decoding: HTTPErrorPages.response(status: status), as: UTF8.self), text, "\(status)")
        }
    }

    func testConnectionErrorsMatchHAProxy() {
        for (status, text) in Self.capturedConnectionErrors {
            XCTAssertEqual(String(decoding: HTTPErrorPages.connectionError(status: status), as: UTF8.self), text, "\(status)")
        }
        // other statuses: the stream page
        XCTAssertEqual(HTTPErrorPages.connectionError(status: 503), HTTPErrorPages.response(status: 503))
    }

    func testUnknownStatusHasNoPage() {
        XCTAssertNil(HTTPErrorPages.page(status: 414))
        XCTAssertNil(HTTPErrorPages.page(status: 431))
        XCTAssertEqual(HTTPErrorPages.response(status: 418), HTTPErrorPages.response(status: 500))
    }

    /// Every page is a valid response head for the parser, with the right body length.
    func testPagesParseAsResponses() {
        for status in HTTPErrorPages.statuses {
            let bytes = HTTPErrorPages.response(status: status)
            guard case .complete(let head, let length) = HTTPParser.parseResponse(bytes, limits: HTTPLimits()) else {
                return XCTFail("\(status)")
            }
            XCTAssertEqual(head.status, status)
            XCTAssertEqual(HTTPFraming.response(head, requestMethod: Array("GET".utf8)[...]),
                           .success(.contentLength(bytes.count - length)))
        }
    }

    /// `errorfile N /dev/null`: nothing to send, so the connection closes at
    /// once whatever the caller asked; a real page closes only when asked.
    func testEmptyPageClosesTheConnection() {
        XCTAssertTrue(HTTPErrorPages.closesConnection(after: [], requested: false))
        XCTAssertTrue(HTTPErrorPages.closesConnection(after: [], requested: true))
        XCTAssertFalse(HTTPErrorPages.closesConnection(after: HTTPErrorPages.response(status: 403), requested: false))
        XCTAssertTrue(HTTPErrorPages.closesConnection(after: HTTPErrorPages.response(status: 403), requested: true))
    }
}
