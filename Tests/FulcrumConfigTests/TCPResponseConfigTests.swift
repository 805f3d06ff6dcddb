import XCTest
@testable import FulcrumConfig

/// `tcp-response content` actions: what loads into the backend's rules,
/// and what is refused at its file:line:column.
final class TCPResponseConfigTests: XCTestCase {
    /// A mode tcp listen section whose first rule line, `line`, is line 9.
    private func parseListen(_ lines: String) -> ParseResult {
        parse(tcpDefaults + "listen l\n    bind :443\n" + lines + "\n    server s 10.0.0.1:443\n")
    }

    func testActionsLoad() throws {
        let r = parseListen("""
                tcp-response content sc-inc-gpc0(1)
                tcp-response content sc-inc-gpc1
                tcp-response content sc-inc-gpc(3,2) if { res.len gt 0 }
                tcp-response content sc-set-gpt0(0) 7
                tcp-response content sc-set-gpt(1,0) res.len
                tcp-response content set-log-level err
                tcp-response content set-log-level silent unless { res.len gt 0 }
                tcp-response content set-mark 0x2a
                tcp-response content set-mark -1
                tcp-response content set-tos 010
                tcp-response content silent-drop if { res.payload(0,3) -m str BAD }
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let rules = try XCTUnwrap(r.configuration.backends.first?.tcpResponse.rules)
        XCTAssertEqual(rules.map(\.action), [
            .stick(.incrementGPC(counter: 1, index: 0, legacy: true)),
            .stick(.incrementGPC(counter: 0, index: 1, legacy: true)),
            .stick(.incrementGPC(counter: 2, index: 3, legacy: false)),
            .stick(.setGPT(counter: 0, index: 0, legacy: true, value: SampleFetch(name: "int", arguments: ["7"]))),
            .stick(.setGPT(counter: 0, index: 1, legacy: false, value: SampleFetch(name: "res.len", arguments: []))),
            .setLogLevel(.err), .setLogLevel(nil),
            // strtoul: -1 is every bit set; set-tos reads octal after a leading 0.
            .setClientSocket(.mark(0x2a)), .setClientSocket(.mark(0xffff_ffff)), .setClientSocket(.tos(8)),
            .silentDrop,
        ] as [TCPContentRules.Action])
        XCTAssertNotNil(rules[2].condition)
        XCTAssertNil(rules[3].condition)
        XCTAssertEqual(rules[10].location, SourceLocation(file: "t.cfg", line: 19, column: 5))
    }

    func testRefusedFormsNameTheirWord() {
        for (line, column, message) in [
            ("tcp-response content set-mark", 26, "'tcp-response content set-mark' expects exactly 1 argument (integer/hex value)"),
            ("tcp-response content set-mark 12z", 35, "'tcp-response content set-mark': invalid character starting at 'z' (integer/hex value expected)"),
            ("tcp-response content set-tos x", 34, "'tcp-response content set-tos': invalid character starting at 'x' (integer/hex value expected)"),
            ("tcp-response content set-tos 1 2", 36, "'tcp-response content set-tos' expects either 'if' or 'unless' followed by a condition but found '2'"),
            ("tcp-response content set-log-level loud", 40, "expects exactly 1 argument (log level name or 'silent')"),
            ("tcp-response content silent-drop now", 38, "unexpected argument 'now' for 'tcp-response content silent-drop'"),
            ("tcp-response content sc-inc-gpc0(3)", 26, "invalid stick counter '3'"),
            ("tcp-response content sc-set-gpt0(0)", 26, "expects an integer or a sample expression"),
            // HAProxy 2.6 has no track-sc* among the response actions.
            ("tcp-response content track-sc0 src", 26, "unknown action 'track-sc0' for 'tcp-response content'"),
            ("tcp-response content set-nice 10", 26, "'tcp-response content set-nice' is not supported yet"),
            ("tcp-response content send-spoe-group a b", 26, "'tcp-response content send-spoe-group' is not supported yet"),
            ("tcp-response content set-bandwidth-limit l", 26, "'tcp-response content set-bandwidth-limit' is not supported yet"),
        ] {
            let r = parseListen("    " + line)
            XCTAssertEqual(r.alerts.count, 1, "\(line): \(r.alerts.map(\.message))")
            XCTAssertTrue(r.alerts.first?.message.contains(message) == true, "\(line): \(r.alerts.map(\.message))")
            XCTAssertEqual(r.alerts.first?.location, SourceLocation(file: "t.cfg", line: 9, column: column), line)
        }
    }
}
