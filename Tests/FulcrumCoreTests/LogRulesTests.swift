import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
import FulcrumLog
@testable import FulcrumCore

/// The log side of mode-http rules (capture, set-log-level) and log lines
/// compiled for a proxy (fetches answered from the exchange's heads).
final class LogRulesTests: XCTestCase {
    private func compiled(_ s: HTTPProxySettings) throws -> HTTPCompiledRules {
        try HTTPCompiledRules(proxyName: "fe", settings: s, acls: ACLSet(s.acls, userlists: [], crypt: noCrypt))
    }
    private let at = SourceLocation(file: "t.cfg", line: 1, column: 1)

    func testCaptureAndSetLogLevelRecordTheirEffects() throws {
        var s = HTTPProxySettings()
        s.requestRules = [
            HTTPRequestRule(location: at, action: .capture(sample: lf("%[req.hdr(user-agent)]"), slot: 1), condition: nil),
            HTTPRequestRule(location: at, action: .setLogLevel(.err), condition: nil),
        ]
        s.responseRules = [
            HTTPResponseRule(location: at, action: .capture(sample: lf("%[res.hdr(server)]"), slot: 0), condition: nil),
            HTTPResponseRule(location: at, action: .setLogLevel(nil), condition: nil),
        ]
        let rules = try compiled(s)
        var request = ruleContext("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: curl/8\r\n\r\n")
        _ = HTTPRequestProcessing.frontend(rules, defaultBackend: "be", context: &request)
        XCTAssertEqual(request.log.requestCaptures.map(\.slot), [1])
        XCTAssertEqual(request.log.requestCaptures.map { String(decoding: $0.value, as: UTF8.self) }, ["curl/8"])
        XCTAssertEqual(request.log.level, .level(.err))

        var response = ruleContext("GET / HTTP/1.1\r\nHost: a\r\n\r\n", response: "HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n")
        _ = HTTPRequestProcessing.response(rules, context: &response)
        var kept = request.log
        kept.takeResponse(from: &response.log)
        XCTAssertEqual(kept.responseCaptures.map { String(decoding: $0.value, as: UTF8.self) }, ["nginx"])
        XCTAssertEqual(kept.level, .silent, "the response's set-log-level silent wins")
        XCTAssertTrue(response.log.responseCaptures.isEmpty, "taken, not copied")
    }

    func testCompiledLineAnswersHeaderFetchesFromTheExchange() throws {
        var logging = ProxyLogging()
        let text = "%ci %[req.hdr(host),upper] %[status] %[res.hdr(server),hex]"
        guard case .success(let elements) = LogFormatParser.parse(text, options: .logLine) else { return XCTFail() }
        logging.format = .custom(LogLineFormatString(text: text, elements: elements))
        let line = try CompiledLogLine(logging)
        XCTAssertTrue(line.readsExchange)
        XCTAssertFalse(line.readsLocalAddress)
        var record = LogRecord()
        record.client = .ip(IPAddress("192.168.1.10")!, port: 40000)
        var out: [UInt8] = []
        let context = ruleContext("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", response: "HTTP/1.1 204 No Content\r\nServer: ab\r\n\r\n")
        line.render(record, context: context, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "192.168.1.10 EXAMPLE.ORG 204 6162")
        // Without an exchange (mode tcp, a bad request) the fetches are absent.
        line.render(record, context: nil, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "192.168.1.10 - - -")
    }

    func testLegacyAndFrontendAddressFormatsAskForTheLocalAddress() throws {
        XCTAssertTrue(try CompiledLogLine(ProxyLogging()).readsLocalAddress, "the legacy line names the frontend address")
        var logging = ProxyLogging()
        for text in ["%ci %fi:%fp", "%[dst]"] {
            guard case .success(let elements) = LogFormatParser.parse(text, options: .logLine) else { return XCTFail(text) }
            logging.format = .custom(LogLineFormatString(text: text, elements: elements))
            XCTAssertTrue(try CompiledLogLine(logging).readsLocalAddress, text)
        }
        for predefined in [ProxyLogFormat.tcplog, .httplog, .httplogCLF, .httpslog] {
            logging.format = predefined
            XCTAssertFalse(try CompiledLogLine(logging).readsLocalAddress, "\(predefined): no getsockname per connection")
        }
    }

    func testUnservedFetchInALogLineIsAnError() throws {
        var logging = ProxyLogging()
        let text = "%[req.hdrs]"
        guard case .success(let elements) = LogFormatParser.parse(text, options: .logLine) else { return XCTFail() }
        logging.format = .custom(LogLineFormatString(text: text, elements: elements))
        XCTAssertThrowsError(try CompiledLogLine(logging)) { error in
            XCTAssertTrue("\(error)".contains("req.hdrs"), "\(error)")
        }
    }
}
