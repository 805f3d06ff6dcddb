import XCTest
@testable import FulcrumConfig
import FulcrumLog

/// `in_table` and `table_*` converters: read into the model with their table
/// (and array index); a missing table argument, a bad index or a table that
/// does not exist are refused at their line with HAProxy's words.
final class StickTableConverterConfigTests: XCTestCase {
    private func parseFrontend(_ line: String) -> ParseResult {
        parse(httpDefaults + """
            backend st
                stick-table type ip size 10 store gpc(2),http_req_rate(10s)
            frontend fe
                bind 127.0.0.1:8080
                \(line)
                default_backend st

            """)
    }

    func testConvertersLoadWithTheirTableAndIndex() {
        let r = parseFrontend("http-request set-header X-T %[src,in_table(st)]/%[src,table_gpc(1,st)]/%[src,table_http_req_rate(st)]")
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(try SampleConverter(LogSampleCall(name: "table_gpc", arguments: ["1", "st"])),
                       .stickTable(StickTableConverter(name: "table_gpc", fetchSuffix: "get_gpc", element: 1, table: "st")))
        XCTAssertEqual(try SampleConverter(LogSampleCall(name: "in_table", arguments: ["st"])),
                       .stickTable(StickTableConverter(name: "in_table", fetchSuffix: nil, element: nil, table: "st")))
    }

    func testRefusals() {
        XCTAssertEqual(parseFrontend("http-request set-header X-T %[src,table_gpc0(nosuch)]").alerts.map(\.message),
                       ["unable to find table 'nosuch' referenced in arg 1 of converter 'table_gpc0'"])
        XCTAssertEqual(parseFrontend("acl a src,in_table(other) -m bool").alerts.map(\.message),
                       ["unable to find table 'other' referenced in arg 1 of converter 'in_table'"])
        XCTAssertThrowsError(try SampleConverter(LogSampleCall(name: "table_gpc0", arguments: []))) { e in
            XCTAssertEqual((e as? LogFormatError)?.message,
                           "invalid arg 1 in converter 'table_gpc0' : missing arguments (got 0/1), type 'table' expected")
        }
        XCTAssertThrowsError(try SampleConverter(LogSampleCall(name: "table_gpc", arguments: ["x", "st"])))
        XCTAssertThrowsError(try SampleConverter(LogSampleCall(name: "in_table", arguments: ["st", "more"])))
        XCTAssertThrowsError(try SampleConverter(LogSampleCall(name: "table_nothing", arguments: ["st"])))
    }
}
