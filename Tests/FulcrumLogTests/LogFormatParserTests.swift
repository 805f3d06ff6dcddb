import XCTest
import FulcrumLog

final class LogFormatParserTests: XCTestCase {
    func parse(_ s: String, _ options: LogFormatParser.Options = .logLine) -> [LogFormatElement]? {
        try? LogFormatParser.parse(s, options: options).get()
    }
    func error(_ s: String, _ options: LogFormatParser.Options = .logLine) -> String? {
        if case .failure(let e) = LogFormatParser.parse(s, options: options) { return e.message }
        return nil
    }

    func testLiteralsVariablesAndPercent() {
        XCTAssertEqual(parse("%ci:%cp [%t] 100%%"), [
            .variable(.clientIP, .mandatory), .literal(Array(":".utf8)), .variable(.clientPort, .mandatory),
            .separator, .literal(Array("[".utf8)), .variable(.date, .mandatory), .literal(Array("]".utf8)),
            .separator, .literal(Array("100%".utf8)),
        ])
    }

    func testSpacesMergeInLogLinesButNotInValues() {
        XCTAssertEqual(parse("a   b"), [.literal([0x61]), .separator, .literal([0x62])])
        XCTAssertEqual(parse("  a  b ", .value), [.literal(Array("  a  b ".utf8))])
    }

    func testEveryVariableOfTheTableParsesAndNamesRoundTrip() {
        let names = ["B", "CC", "CS", "H", "HM", "HP", "HPO", "HQ", "HU", "HV", "ID", "ST", "T", "Ta", "Tc", "Td", "Tl",
                     "Th", "Ti", "Tq", "TR", "Tr", "Ts", "Tt", "Tu", "Tw", "U", "ac", "b", "bc", "bi", "bp", "bq", "ci",
                     "cp", "f", "fc", "fi", "fp", "ft", "lc", "hr", "hrl", "hs", "hsl", "ms", "pid", "r", "rc", "rt", "s",
                     "sc", "si", "sp", "sq", "sslc", "sslv", "t", "tr", "trg", "trl", "ts", "tsc"]
        XCTAssertEqual(names.count, LogVariable.allCases.count)
        for name in names {
            guard let v = LogVariable(name: name) else { XCTFail("%\(name) is a 2.6 variable"); continue }
            XCTAssertEqual(v.name, name)
            XCTAssertEqual(parse("%" + name), [.variable(v, .mandatory)])
        }
        XCTAssertTrue(LogVariable.requestLine.isHTTPOnly)
        XCTAssertFalse(LogVariable.terminationStateCookie.isHTTPOnly, "%tsc is a tcp variable in logformat_keywords[]")
    }

    func testFlagsAndTheGlobalOption() {
        XCTAssertEqual(parse("%{+Q}r"), [.variable(.requestLine, [.mandatory, .quote])])
        XCTAssertEqual(parse("%{+Q,+X,-M}ci"), [.variable(.clientIP, [.quote, .hexadecimal])])
        // %o sets the default for what follows; -Q removes it for one element only.
        XCTAssertEqual(parse("%{+Q}o %{-Q}ci %b"), [
            .variable(.clientIP, .mandatory), .separator, .variable(.backendName, [.mandatory, .quote]),
        ])
        XCTAssertEqual(parse("%{+Q}o%{+E}o%f"), [.variable(.frontendName, [.mandatory, .quote, .escape])])
        // Unknown flags are ignored, as haproxy 2.6 ignores them (`%{+Z,+Q}o` is valid there).
        XCTAssertEqual(parse("%{+Z,+Q}s"), [.variable(.serverName, [.mandatory, .quote])])
    }

    func testSamplesKeepFetchAndConverters() {
        let elements = parse("x%{+Q}[req.hdr(host,1),lower,base64]y")
        let expected = LogSampleExpression(text: "req.hdr(host,1),lower,base64",
                                           fetch: LogSampleCall(name: "req.hdr", arguments: ["host", "1"]),
                                           converters: [LogSampleCall(name: "lower"), LogSampleCall(name: "base64")])
        XCTAssertEqual(elements, [.literal([0x78]), .sample(expected, [.mandatory, .quote]), .literal([0x79])])
        XCTAssertEqual(parse("%[src]", .value), [.sample(LogSampleExpression(text: "src", fetch: LogSampleCall(name: "src"), converters: []), [])])
    }

    func testAPercentStartingNothingIsDroppedAsHAProxyDoes() {
        // haproxy 2.6 logged "x-y" for "x%-y".
        XCTAssertEqual(parse("x%-y"), [.literal(Array("x-y".utf8))])
    }

    func testErrorsUseHAProxyWording() {
        XCTAssertEqual(error("%ci %zz"), "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'")
        XCTAssertEqual(error("%ci %"), "truncated line after '%'")
        XCTAssertEqual(error("%{+Q}"), "parse argument modifier without variable name near '%{+Q}'")
        XCTAssertEqual(error("%{+Q}%ci"), "parse argument modifier without variable name near '%{+Q}'")
        XCTAssertEqual(error("%ci %1"), "unexpected variable name near '1' at position 5 line : '%ci %1'. Maybe you want to write a single '%', use the syntax '%%'")
        XCTAssertEqual(error("%[src"), "missing ']' after 'src'")
        XCTAssertNotNil(error("%[]"))
        XCTAssertNotNil(error("%[src(]"))
        XCTAssertEqual(error("%Tt", .value), nil)
    }
}
