import XCTest
import FulcrumBytes
import FulcrumLog

/// Lines haproxy 2.6.12 sent (format raw, TZ=Europe/Paris) for requests
/// through loopback frontends to a Python backend, and the records that
/// describe the same requests: the rendering must equal them byte for byte.
/// The timers and dates are set to what haproxy printed; everything else is
/// what the requests were.
final class HAProxyLinesTests: XCTestCase {
    func testDefaultFormatIsTheConnectLine() {
        var r = LogRecord()
        r.isHTTP = true
        r.client = endpoint("127.0.0.1", 50004)
        r.frontendAddress = endpoint("127.0.0.1", 18101)
        r.frontendName = b("fdef")
        XCTAssertEqual(render(.legacyConnect, r), "Connect from 127.0.0.1:50004 to 127.0.0.1:18101 (fdef/HTTP)")
        XCTAssertTrue(LogLineFormat.legacyConnect.logsAtAccept)
        r.isHTTP = false
        r.client = endpoint("2001:db8::1", 4000)
        r.frontendAddress = endpoint("::1", 80)
        XCTAssertEqual(render(.legacyConnect, r), "Connect from 2001:db8::1:4000 to ::1:80 (fdef/TCP)")
        r.client = .unix(listenerID: 3)
        XCTAssertEqual(render(.legacyConnect, r), "Connect to unix:3 (fdef/TCP)")
    }

    func testTCPLog() {
        var r = LogRecord()
        r.client = endpoint("127.0.0.1", 49824)
        r.frontendName = b("ftcp"); r.backendName = b("btcp"); r.serverName = b("s1")
        r.acceptDateMicros = micros(capturedSecond, ms: 604)
        r.utcOffsetSeconds = 3600
        // mode tcp: no request point, so Tw is t_queue - (-1) = 1, as haproxy prints.
        r.requestMs = -1; r.queueMs = 0; r.connectMs = 0; r.totalMs = 17
        r.bytesOut = 150
        r.activeConnections = 1; r.frontendConnections = 1
        XCTAssertEqual(render(LogLineFormat(.tcplog), r),
                       "127.0.0.1:49824 [05/Dec/2026:17:18:12.604] ftcp btcp/s1 1/0/17 150 -- 1/1/0/0/0 0/0")
    }

    func testHTTPLogWithCapturesAndCookie() {
        var r = httpRecord(fe: "fhttp", clientPort: 58118, frontendPort: 18103, ms: 638, requestLine: "GET /index.html?x=1 HTTP/1.1")
        r.requestCaptures = [b("127.0.0.1:18103"), b("curl|x{y}")]
        r.responseCaptures = [b("text/plain")]
        r.capturedRequestCookie = b("app=abc")
        XCTAssertEqual(render(LogLineFormat(.httplog), r),
                       #"127.0.0.1:58118 [05/Dec/2026:17:18:12.638] fhttp b/s1 0/0/0/0/0 200 149 app=abc - ---- 1/1/0/0/0 0/0 {127.0.0.1:18103|curl#7Cx#7By#7D} {text/plain} "GET /index.html?x=1 HTTP/1.1""#)

        var missing = httpRecord(fe: "fhttp", clientPort: 58120, frontendPort: 18103, ms: 671, requestLine: "GET /missing HTTP/1.1")
        missing.requestCaptures = [b("127.0.0.1:18103"), b("curl/7.88.")]
        missing.responseCaptures = [b("text/plain")]
        missing.dataMs = 10; missing.totalMs = 10
        missing.status = 404; missing.bytesOut = 148
        XCTAssertEqual(render(LogLineFormat(.httplog), missing),
                       #"127.0.0.1:58120 [05/Dec/2026:17:18:12.671] fhttp b/s1 0/0/0/10/10 404 148 - - ---- 1/1/0/0/0 0/0 {127.0.0.1:18103|curl/7.88.} {text/plain} "GET /missing HTTP/1.1""#)

        var setCookie = httpRecord(fe: "fhttp", clientPort: 58124, frontendPort: 18103, ms: 719, requestLine: "GET /setck HTTP/1.1")
        setCookie.requestCaptures = [b("127.0.0.1:18103"), b("curl/7.88.")]
        setCookie.responseCaptures = [b("text/plain")]
        setCookie.capturedResponseCookie = b("app=xyz")
        setCookie.dataMs = 1; setCookie.totalMs = 1; setCookie.bytesOut = 166
        XCTAssertEqual(render(LogLineFormat(.httplog), setCookie),
                       #"127.0.0.1:58124 [05/Dec/2026:17:18:12.719] fhttp b/s1 0/0/0/1/1 200 166 - app=xyz ---- 1/1/0/0/0 0/0 {127.0.0.1:18103|curl/7.88.} {text/plain} "GET /setck HTTP/1.1""#)
    }

    func testCapturedHeadersAreEncoded() {
        var r = httpRecord(fe: "fhttp", clientPort: 49672, frontendPort: 18103, ms: 526, second: capturedSecond + 24, requestLine: "GET /r HTTP/1.1")
        r.requestCaptures = [b("h"), [0xE9, 0x22, 0x23, 0x7F, 0x09, 0x62][...]]
        r.responseCaptures = [b("text/plain")]
        XCTAssertEqual(render(LogLineFormat(.httplog), r),
                       #"127.0.0.1:49672 [05/Dec/2026:17:18:36.526] fhttp b/s1 0/0/0/0/0 200 149 - - ---- 1/1/0/0/0 0/0 {h|#E9#22#23#7F#09b} {text/plain} "GET /r HTTP/1.1""#)
        r.requestCaptures = [b("h"), b(#""\]"#)]
        r.requestLine = b("GET /r%22 HTTP/1.1")
        XCTAssertTrue(render(LogLineFormat(.httplog), r).hasSuffix(#"{h|#22\]} {text/plain} "GET /r%22 HTTP/1.1""#))
    }

    func testKeepAliveRequestWithAnAbsentCapture() {
        var r = httpRecord(fe: "fhttp", clientPort: 58156, frontendPort: 18103, ms: 334, second: capturedSecond + 1, requestLine: "GET /ka2 HTTP/1.0")
        r.requestCaptures = [b("k"), nil]
        r.responseCaptures = [b("text/plain")]
        r.dataMs = 1; r.totalMs = 1
        XCTAssertEqual(render(LogLineFormat(.httplog), r),
                       #"127.0.0.1:58156 [05/Dec/2026:17:18:13.334] fhttp b/s1 0/0/0/1/1 200 149 - - ---- 1/1/0/0/0 0/0 {k|} {text/plain} "GET /ka2 HTTP/1.0""#)
    }

    func testBadRequestHasNoStream() {
        // A request the parser refused: no stream, so no captures even though
        // the frontend declares some, the frontend as backend, no server.
        var r = httpRecord(fe: "fhttp", clientPort: 58140, frontendPort: 18103, ms: 325, second: capturedSecond + 1, requestLine: nil)
        r.backendName = b("fhttp"); r.serverName = nil
        r.requestMs = -1; r.queueMs = -1; r.connectMs = -1; r.dataMs = -1; r.totalMs = 0
        r.status = 400; r.bytesOut = 0
        r.termination = LogTerminationState(cause: .proxy, phase: .request)
        XCTAssertEqual(render(LogLineFormat(.httplog), r),
                       #"127.0.0.1:58140 [05/Dec/2026:17:18:13.325] fhttp fhttp/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>""#)
    }

    func testNoServerAvailable() {
        var r = httpRecord(fe: "fnosrv", clientPort: 54836, frontendPort: 18107, ms: 797, requestLine: "GET /nosrv HTTP/1.1")
        r.backendName = b("bnone"); r.serverName = nil
        r.queueMs = -1; r.connectMs = -1; r.dataMs = -1
        r.status = 503; r.bytesOut = 217
        r.termination = LogTerminationState(cause: .serverAbort, phase: .connect)
        XCTAssertEqual(render(LogLineFormat(.httplog), r),
                       #"127.0.0.1:54836 [05/Dec/2026:17:18:12.797] fnosrv bnone/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /nosrv HTTP/1.1""#)
    }

    func testPersistenceCookieStates() {
        // backend bck: cookie SRV insert indirect nocache; server s1 cookie c1.
        let cases: [(String, Int, Int64, Int, LogClientCookieState, LogServerCookieState, String)] = [
            ("/ck1", 47300, 811, 2, .noCookie, .inserted, "--NI"),
            ("/ck2", 47308, 834, 1, .valid, .noCookie, "--VN"),
            ("/ck3", 47320, 844, 0, .invalid, .inserted, "--II"),
        ]
        for (path, port, ms, t, client, server, state) in cases {
            var r = httpRecord(fe: "fck", clientPort: port, frontendPort: 18108, ms: ms, requestLine: "GET \(path) HTTP/1.1")
            r.backendName = b("bck")
            r.dataMs = t; r.totalMs = t
            r.termination = LogTerminationState(clientCookie: client, serverCookie: server)
            XCTAssertEqual(render(LogLineFormat(.httplog), r),
                           "127.0.0.1:\(port) [05/Dec/2026:17:18:12.\(ms)] fck bck/s1 0/0/0/\(t)/\(t) 200 149 - - \(state) 1/1/0/0/0 0/0 \"GET \(path) HTTP/1.1\"")
        }
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: false, server: .unknown), .noCookie)
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: true, server: .up), .valid)
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: true, server: .unknown), .invalid)
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: true, server: .down), .down)
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: true, expired: true, server: .up), .expired)
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: true, tooOld: true, server: .up), .old)
        XCTAssertEqual(LogClientCookieState.of(cookiePresent: true, server: .up, usedForRouting: false), .unused)
    }

    func testHTTPLogCLF() {
        var r = httpRecord(fe: "fclf", clientPort: 45302, frontendPort: 18104, ms: 749, requestLine: "GET /clf?a=b HTTP/1.1")
        r.dataMs = 1; r.totalMs = 1
        // No capture declared: the two trailing separators merge into one space.
        XCTAssertEqual(render(LogLineFormat(.httplogCLF), r),
                       #"127.0.0.1 - - [05/Dec/2026:16:18:12 +0000] "GET /clf?a=b HTTP/1.1" 200 149 "" "" 45302 749 "fclf" "b" "s1" 0 0 0 1 1 ---- 1 1 0 0 0 0 0 "" "" "#)

        var c = httpRecord(fe: "fclfcap", clientPort: 58000, frontendPort: 18105, ms: 770, requestLine: "GET /clfcap HTTP/1.1")
        c.requestCaptures = [b("example.com"), nil]
        c.responseCaptures = [b("text/plain")]
        XCTAssertEqual(render(LogLineFormat(.httplogCLF), c),
                       #"127.0.0.1 - - [05/Dec/2026:16:18:12 +0000] "GET /clfcap HTTP/1.1" 200 149 "" "" 58000 770 "fclfcap" "b" "s1" 0 0 0 0 0 ---- 1 1 0 0 0 0 0 "" "" "example.com" "" "text/plain""#)
    }

    func testHTTPSLogOnAPlainListener() {
        var r = httpRecord(fe: "fhttps", clientPort: 34978, frontendPort: 18106, ms: 783, requestLine: "GET /https HTTP/1.1")
        r.dataMs = 1; r.totalMs = 1
        let format = LogLineFormat(.httpslog)
        XCTAssertEqual(format.samples.map(\.text), ["fc_err", "ssl_fc_err,hex", "ssl_c_err", "ssl_c_ca_err", "ssl_fc_is_resumed", "ssl_fc_sni"])
        // What the fetches give on a connection without TLS.
        let samples: [String?] = ["0", nil, nil, nil, "0", nil]
        XCTAssertEqual(render(format, r, samples: samples),
                       #"127.0.0.1:34978 [05/Dec/2026:17:18:12.783] fhttps b/s1 0/0/0/1/1 200 149 - - ---- 1/1/0/0/0 0/0 "GET /https HTTP/1.1" 0/-/-/-/0 -/-/-"#)
    }

    /// Every variable in one line (frontend `fall` of the capture run).
    func testEveryVariable() throws {
        let format = "%ci %cp %fi %fp %bi %bp %si %sp %f %ft %b %s %Th %Ti %TR %Tw %Tc %Tr %Ta %Tt %Tu %Tq %ST %B %U %CC %CS %ts %tsc %ac %fc %bc %sc %rc %sq %bq %hr %hs %hrl %hsl %{+Q}r %HM %HU %HP %HQ %HV %ID %pid %H %rt %lc %t %tr %trg %trl %T %Tl %Ts %ms %{+X}Ts %{+X}ci %{+X}cp %{+Q}ci %{+Q}b %{+Q}CC %{+Q}hrl %{+E}HU %[src] %{+Q}[capture.req.hdr(0)] %[var(txn.none)] %{+Q}[var(txn.none)]"
        var r = httpRecord(fe: "fall", clientPort: 50254, frontendPort: 18109, ms: 869, requestLine: "GET /all/p?q=1 HTTP/1.1")
        r.backendSource = endpoint("127.0.0.1", 40356)
        r.server = endpoint("127.0.0.1", 18002)
        r.idleMs = 4; r.requestMs = 4; r.queueMs = 4; r.connectMs = 4; r.dataMs = 4; r.totalMs = 4
        r.bytesIn = 102
        r.requestCaptures = [b("127.0.0.1:18109")]
        r.uniqueID = b("7F000001:C44E_7F000001:46BD_6B143944_000C:18D1")
        r.pid = 6353; r.requestCounter = 12; r.logCounter = 0
        let line = try render(format, r, samples: ["127.0.0.1", "127.0.0.1:18109", nil, nil])
        XCTAssertEqual(line, #"127.0.0.1 50254 127.0.0.1 18109 127.0.0.1 40356 127.0.0.1 18002 fall fall b s1 0 4 0 0 0 0 0 4 0 4 200 149 102 - - -- ---- 1 1 0 0 0 0 0 {127.0.0.1:18109} 127.0.0.1:18109 "GET /all/p?q=1 HTTP/1.1" GET /all/p?q=1 /all/p ?q=1 HTTP/1.1 7F000001:C44E_7F000001:46BD_6B143944_000C:18D1 6353 vm 12 0 05/Dec/2026:17:18:12.869 05/Dec/2026:17:18:12.873 05/Dec/2026:16:18:12 +0000 05/Dec/2026:17:18:12 +0100 05/Dec/2026:16:18:12 +0000 05/Dec/2026:17:18:12 +0100 1796487492 869 6B143944 7F000001 C44E "127.0.0.1" "b" "" "127.0.0.1:18109" /all/p?q=1 127.0.0.1 "127.0.0.1:18109" - """#)

        // The frontend's unique-id-format gave the %ID above.
        XCTAssertEqual(try render("%{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid", r), "7F000001:C44E_7F000001:46BD_6B143944_000C:18D1")
    }

    func testAbsoluteFormRequestLineParts() throws {
        var r = httpRecord(fe: "fall", clientPort: 46620, frontendPort: 18109, ms: 166, second: capturedSecond + 20,
                           requestLine: "GET http://ex.com/abs?z HTTP/1.1")
        r.requestCaptures = [b("ex.com")]
        XCTAssertEqual(try render("%{+Q}r %HM %HU %HP %HQ %HV", r), #""GET http://ex.com/abs?z HTTP/1.1" GET http://ex.com/abs?z http://ex.com/abs ?z HTTP/1.1"#)
    }

    func testGlobalQuoteOptionAndMergedSpaces() throws {
        let format = "%{+Q}o %ci - %b %{-Q}s %ST %r %HP  %%  x%-y  end"
        let r = httpRecord(fe: "fq", clientPort: 1, frontendPort: 18110, ms: 0, requestLine: "GET /fq HTTP/1.1")
        XCTAssertEqual(try render(format, r), #""127.0.0.1" - "b" s1 200 "GET /fq HTTP/1.1" "/fq" % x-y end"#)
        var bad = r
        bad.requestLine = nil; bad.backendName = b("fq"); bad.serverName = nil; bad.status = 400
        XCTAssertEqual(try render(format, bad), #""127.0.0.1" - "fq" <NOSRV> 400 "<BADREQ>" "<BADREQ>" % x-y end"#)
    }
}

extension HAProxyLinesTests {
    /// haproxy 2.6 with `unique-id-format "%[var(txn.nope)]x  y%{+Q}[var(txn.nope)]%{+Q}b"`
    /// and `log-format "ID=%ID| %{+Q}ID"` logged `ID=x y"b"| "x y"b""`: in a
    /// unique id, absent samples are nothing even quoted, variables quote.
    func testUniqueIDFormatWritesSamplesBare() throws {
        var r = LogRecord()
        r.backendName = b("b")
        let uniqueID = try LogLineFormat(parsing: #"%[var(txn.nope)]x  y%{+Q}[var(txn.nope)]%{+Q}b"#, options: .uniqueID)
        var id: [UInt8] = []
        uniqueID.render(r, into: &id)
        XCTAssertEqual(String(decoding: id, as: UTF8.self), #"x y"b""#)
        r.uniqueID = id[...]
        XCTAssertEqual(try render("ID=%ID| %{+Q}ID", r), #"ID=x y"b"| "x y"b"""#)
    }
}
