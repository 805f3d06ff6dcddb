import Foundation
import FulcrumHTTP2
import XCTest

/// HTTP2ServerSession against an independent HTTP/2 client: Python's h2
/// (pinned as in HTTP2CodecCrossCheckTests). h2's client state machine sends
/// requests; the session turns them into HTTP/1.1 requests, compared byte
/// for byte; HTTP/1.1 responses go back through the session, and h2 must
/// accept every frame (it raises on any protocol error) and rebuild the
/// same responses. No sockets: each round runs the script again, which
/// replays the client (h2 is deterministic) over the server's output so
/// far and prints the client's answer to the last piece (WINDOW_UPDATEs).
final class HTTP2SessionCrossCheckTests: XCTestCase {
    static let script = """
    import json, sys
    import h2.config, h2.connection, h2.events

    request = json.load(sys.stdin)
    b = bytes.fromhex
    c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding=None))
    c.initiate_connection()
    for r in request["requests"]:
        body = [b(x) for x in r["body"]]
        c.send_headers(r["id"], [(b(n), b(v)) for n, v in r["headers"]], end_stream=not body)
        for i, piece in enumerate(body):
            c.send_data(r["id"], piece, end_stream=i == len(body) - 1)
    first = c.data_to_send().hex()
    replies, events = [], []
    for chunk in request["server"]:
        for e in c.receive_data(b(chunk)):
            d = {"type": type(e).__name__, "stream_id": getattr(e, "stream_id", None)}
            if getattr(e, "headers", None) is not None:
                d["headers"] = [[n.hex(), v.hex()] for n, v in e.headers]
            if isinstance(e, h2.events.DataReceived):
                d["data"] = e.data.hex()
                c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            if getattr(e, "error_code", None) is not None:
                d["error_code"] = int(e.error_code)
            events.append(d)
        replies.append(c.data_to_send().hex())
    print(json.dumps({"first": first, "replies": replies, "events": events}))
    """

    private var python = ""
    private var scriptPath = ""

    override func setUpWithError() throws {
        let venv: String
        do {
            venv = try PythonVenv.with(["h2==4.4.1", "hpack==4.2.0"])
        } catch {
            throw XCTSkip("no Python venv with h2 4.4.1 / hpack 4.2.0 could be made: \(error)")
        }
        python = venv + "/bin/python"
        let directory = try TemporaryDirectory(prefix: "h2s")
        addTeardownBlock { directory.remove() }
        scriptPath = try directory.write("client.py", Self.script)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func hex(_ text: String) -> String { hex(Array(text.utf8)) }
    static func bytes(_ hex: Any?) -> [UInt8] {
        let digits = Array(((hex as? String) ?? "").utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    struct Request {
        var id: Int
        var headers: [(String, String)]
        var body: [String]
        var expected: String
    }

    static let requests: [Request] = [
        Request(id: 1, headers: [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/a?x=1"),
                                 ("user-agent", "h2-test")], body: [],
                expected: "GET /a?x=1 HTTP/1.1\r\nhost: example.com\r\nuser-agent: h2-test\r\n\r\n"),
        Request(id: 3, headers: [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"), (":path", "/cl"),
                                 ("content-length", "11")], body: ["hello", " world"],
                expected: "POST /cl HTTP/1.1\r\nhost: example.com\r\ncontent-length: 11\r\n\r\nhello world"),
        Request(id: 5, headers: [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"), (":path", "/chunked")],
                body: ["abc", "defgh"],
                expected: "POST /chunked HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"),
        // h2 splits the cookie into crumbs (RFC 9113 §8.2.3); the session joins them again.
        Request(id: 7, headers: [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/cookies"),
                                 ("cookie", "a=1; b=2; c=3"), ("accept", "*/*")], body: [],
                expected: "GET /cookies HTTP/1.1\r\nhost: example.com\r\naccept: */*\r\ncookie: a=1; b=2; c=3\r\n\r\n"),
    ]

    static let bigBody = String((0..<100_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })

    /// Each stream's HTTP/1.1 response, and what h2 must rebuild: headers and body.
    static let responses: [(id: UInt32, http1: String, informational: [[String]], headers: [String], body: String)] = [
        (1, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\nConnection: keep-alive\r\n\r\n" + bigBody, [],
         [":status: 200", "content-type: text/plain", "content-length: 100000"], bigBody),
        (3, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /cl/1\r\nContent-Length: 2\r\n\r\nok", [[":status: 100"]],
         [":status: 201", "location: /cl/1", "content-length: 2"], "ok"),
        (5, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Server: s\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n", [],
         [":status: 200", "x-server: s"], "abcdefg"),
        (7, "HTTP/1.1 204 No Content\r\nSet-Cookie: z=1\r\nKeep-Alive: timeout=5\r\n\r\n", [], [":status: 204", "set-cookie: z=1"], ""),
    ]

    func runClient(_ server: [[UInt8]]) throws -> [String: Any] {
        let input: [String: Any] = [
            "requests": Self.requests.map { ["id": $0.id, "headers": $0.headers.map { [Self.hex($0.0), Self.hex($0.1)] },
                                             "body": $0.body.map { Self.hex($0) }] as [String: Any] },
            "server": server.map { Self.hex($0) },
        ]
        let data = try JSONSerialization.data(withJSONObject: input)
        let result = try CommandRunner.run(python, [scriptPath], stdin: String(decoding: data, as: UTF8.self), timeout: 120)
        guard result.succeeded else { throw HarnessError.failed("h2 client: \(result.output.suffix(3000))") }
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func testH2ClientThroughTheSession() throws {
        var session = HTTP2ServerSession()
        var events: [HTTP2ServerSessionEvent] = []
        var requests: [UInt32: [UInt8]] = [:]
        var log: [String] = []
        func take() {
            for event in events {
                switch event {
                case .requestHead(let id, let r), .requestBody(let id, let r): requests[id, default: []] += session.requestBytes[r]
                case .requestEnd(let id): log.append("requestEnd \(id)")
                case .streamAborted(let id, let code, _): log.append("aborted \(id) \(code)")
                case .close: log.append("close")
                default: break
                }
            }
            events.removeAll()
        }

        // The client's preface and requests.
        let first = Self.bytes(try runClient([])["first"])
        session.receive(first, into: &events)
        take()
        for request in Self.requests {
            XCTAssertEqual(String(decoding: requests[UInt32(request.id)] ?? [], as: UTF8.self), request.expected, "stream \(request.id)")
        }
        XCTAssertEqual(log, ["requestEnd 1", "requestEnd 3", "requestEnd 5", "requestEnd 7"])

        // The responses, then rounds of the client's WINDOW_UPDATEs until the session has nothing more to send.
        for response in Self.responses { session.sendResponse(streamID: response.id, Array(response.http1.utf8), into: &events) }
        take()
        var server: [[UInt8]] = [session.output]
        session.outputWritten(session.output.count)
        var answer: [String: Any] = [:]
        for _ in 0..<8 {
            answer = try runClient(server)
            let reply = Self.bytes((answer["replies"] as? [String])?.last)
            session.receive(reply, into: &events)
            take()
            guard !session.output.isEmpty else { break }
            server.append(session.output)
            session.outputWritten(session.output.count)
        }
        XCTAssertTrue(session.isIdle, "every stream ended")
        XCTAssertFalse(log.contains { $0.hasPrefix("aborted") || $0 == "close" }, "\(log)")
        XCTAssertGreaterThan(server.count, 1, "the big response waited for the client's WINDOW_UPDATE")

        // What h2 rebuilt.
        let received = try XCTUnwrap(answer["events"] as? [[String: Any]])
        func text(_ pairs: Any?) -> [String] {
            ((pairs as? [[String]]) ?? []).map { String(decoding: Self.bytes($0[0]), as: UTF8.self) + ": " + String(decoding: Self.bytes($0[1]), as: UTF8.self) }
        }
        XCTAssertFalse(received.contains { ["StreamReset", "ConnectionTerminated"].contains($0["type"] as? String) }, "\(received.map { $0["type"] ?? "" })")
        for response in Self.responses {
            let mine = received.filter { ($0["stream_id"] as? Int) == Int(response.id) }
            let informational = mine.filter { $0["type"] as? String == "InformationalResponseReceived" }.map { text($0["headers"]) }
            let headers = mine.filter { $0["type"] as? String == "ResponseReceived" }.map { text($0["headers"]) }
            let body = mine.filter { $0["type"] as? String == "DataReceived" }.flatMap { Self.bytes($0["data"]) }
            XCTAssertEqual(informational, response.informational, "stream \(response.id) 1xx")
            XCTAssertEqual(headers, [response.headers], "stream \(response.id) headers")
            XCTAssertEqual(body.count, response.body.utf8.count, "stream \(response.id) body length")
            XCTAssertTrue(body.elementsEqual(response.body.utf8), "stream \(response.id) body")
            XCTAssertEqual(mine.filter { $0["type"] as? String == "StreamEnded" }.count, 1, "stream \(response.id) ended once")
        }
    }
}
