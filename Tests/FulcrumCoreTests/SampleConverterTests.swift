import XCTest
import FulcrumBytes
@testable import FulcrumConfig
@testable import FulcrumCore

/// Each converter against HAProxy 2.6's results: the examples of the
/// configuration manual (field, word) and what haproxy 2.6.12 answered for
/// `%[...]` with the same input (recorded here; SideBySideVariablesTests
/// compares them live).
final class SampleConverterTests: XCTestCase {
    let context: HTTPRuleContext = {
        var c = ruleContext("GET /p/a?q=1 HTTP/1.1\r\nHost: h\r\nX-In: Hello World\r\n\r\n", src: "127.0.0.1", srcPort: 40000)
        let vars = RuleVariables(process: VariableStore())
        vars.set(VariableRef(VariableName("txn.v")!), .bytes(Array("ok".utf8)[...]))
        vars.set(VariableRef(VariableName("txn.n")!), .integer(35))
        c.variables = vars
        return c
    }()

    /// `%[expr]` expanded, "<none>" when the chain yields no sample.
    func value(_ expression: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        guard case .success(let f) = LogFormatParsing.sample(expression) else {
            XCTFail("does not parse: \(expression)", file: file, line: line)
            return ""
        }
        do {
            let compiled = try CompiledLogFormat(LogFormat(text: "", parts: [.sample(f)]))
            let viaBytes = String(decoding: compiled.bytes(context: context, acls: nil), as: UTF8.self)
            let viaString = compiled.string(context: context, acls: nil, missing: "<none>")
            if viaString != "<none>" { XCTAssertEqual(viaBytes, viaString, expression, file: file, line: line) }
            return viaString
        } catch {
            XCTFail("\(expression): \(error)", file: file, line: line)
            return ""
        }
    }

    func testTextConverters() {
        XCTAssertEqual(value("req.hdr(x-in),lower"), "hello world")
        XCTAssertEqual(value("req.hdr(x-in),upper"), "HELLO WORLD")
        XCTAssertEqual(value("str(abc),upper,lower"), "abc")
        XCTAssertEqual(value("req.hdr(x-in),length"), "11")
        XCTAssertEqual(value("str(Hello),regsub(l,L,g)"), "HeLLo")
        XCTAssertEqual(value("str(Hello),regsub(l,L)"), "HeLlo")
        XCTAssertEqual(value("str(Hello),regsub(L,x,i)"), "Hexlo")
        XCTAssertEqual(value("str(abc),regsub(b,[\\0])"), "a[b]c")
        XCTAssertEqual(value("str(a%20b+c),url_dec"), "a b+c")
        XCTAssertEqual(value("str(a%20b+c),url_dec(1)"), "a b c")
        XCTAssertEqual(value("str(a%2),url_dec"), "<none>", "a cut escape fails, as url_decode")
    }

    func testFieldAndWordAsTheManualShowsThem() {
        // configuration.txt 2.6, "field" and "word".
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(4,_)"), "")
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(5,_)"), "f5")
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(2,_,0)"), "f2_f3__f5")
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(2,_,2)"), "f2_f3")
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(-2,_,3)"), "f2_f3_")
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(-3,_,0)"), "f1_f2_f3")
        XCTAssertEqual(value("str(f1_f2_f3__f5),field(6,_)"), "<none>")
        XCTAssertEqual(value("str(f1_f2_f3__f5),word(4,_)"), "f5")
        XCTAssertEqual(value("str(f1_f2_f3__f5),word(2,_,0)"), "f2_f3__f5")
        XCTAssertEqual(value("str(f1_f2_f3__f5),word(3,_,2)"), "f3__f5")
        XCTAssertEqual(value("str(f1_f2_f3__f5),word(-2,_,3)"), "f1_f2_f3")
        XCTAssertEqual(value("str(f1_f2_f3__f5),word(-3,_,0)"), "f1_f2")
        XCTAssertEqual(value("str(/f1/f2/f3/f4),word(2,/)"), "f2")
        XCTAssertEqual(value("str(/f1/f2/f3/f4),word(-2,/)"), "f3")
        XCTAssertEqual(value("str(a_b),word(3,_)"), "<none>")
    }

    func testBinaryConverters() {
        XCTAssertEqual(value("str(abc),hex"), "616263")
        XCTAssertEqual(value("int(10),hex"), "000000000000000A")
        XCTAssertEqual(value("src,hex"), "7F000001")
        XCTAssertEqual(value("int(5),base64"), "AAAAAAAAAAU=")
        XCTAssertEqual(value("str(aGVsbG8=),b64dec"), "hello")
        XCTAssertEqual(value("str(aGVsbG8),b64dec"), "<none>", "base64dec takes whole quanta")
        XCTAssertEqual(value("str(abcdef),bytes(2,3)"), "cde")
        XCTAssertEqual(value("str(abcdef),bytes(4)"), "ef")
        XCTAssertEqual(value("str(abcdef),bytes(10)"), "")
        XCTAssertEqual(value("src_port,hex,length"), "16")
    }

    func testJSON() {
        var c = context
        c.request = parseHead("GET / HTTP/1.1\r\nX-J: a\"b/\\c \u{e9}\r\n\r\n")
        func json(_ mode: String) -> String {
            let f = try! LogFormatParsing.sample("req.hdr(x-j),json\(mode)").get()
            return try! CompiledLogFormat(LogFormat(text: "", parts: [.sample(f)])).string(context: c, acls: nil)
        }
        XCTAssertEqual(json(""), #"a\"b\/\\c \u00c3\u00a9"#)
        XCTAssertEqual(json("(utf8)"), #"a\"b\/\\c \u00e9"#)
    }

    func testHashes() {
        // haproxy 2.6.12: %[str(abc),...].
        XCTAssertEqual(value("str(abc),sdbm"), "807794786")
        XCTAssertEqual(value("str(abc),sdbm(1)"), "659243622")
        XCTAssertEqual(value("str(abc),djb2"), "193485963")
        XCTAssertEqual(value("str(abc),djb2(1)"), "2235766107")
        XCTAssertEqual(value("str(abc),wt6"), "2483038440")
        XCTAssertEqual(value("str(abc),wt6(1)"), "266135527")
        XCTAssertEqual(value("str(abc),crc32"), "891568578")
        XCTAssertEqual(value("str(abc),crc32(1)"), "930845320")
        XCTAssertEqual(value("str(abc),xxh64"), "4952883123889572249")
        XCTAssertEqual(value("str(abc),xxh64(1)"), "-4708009277469325048")
    }

    func testArithmeticSaturatesAsHAProxy() {
        XCTAssertEqual(value("int(7),add(txn.n)"), "42")
        XCTAssertEqual(value("int(12),add(txn.none)"), "<none>", "a missing variable operand fails")
        XCTAssertEqual(value("int(7),div(0)"), "9223372036854775807")
        XCTAssertEqual(value("int(7),mod(0)"), "0")
        XCTAssertEqual(value("int(-7),div(2)"), "-3")
        XCTAssertEqual(value("int(-7),mod(2)"), "-1")
        XCTAssertEqual(value("int(3),neg"), "-3")
        XCTAssertEqual(value("int(9223372036854775807),add(1)"), "9223372036854775807")
        XCTAssertEqual(value("int(-9223372036854775807),sub(10)"), "-9223372036854775808")
        XCTAssertEqual(value("int(4611686018427387904),mul(4)"), "9223372036854775807")
        XCTAssertEqual(value("int(6),and(3)"), "2")
        XCTAssertEqual(value("int(6),or(3)"), "7")
        XCTAssertEqual(value("int(6),xor(3)"), "5")
        XCTAssertEqual(value("int(5),cpl"), "-6")
        XCTAssertEqual(value("int(5),odd"), "1")
        XCTAssertEqual(value("int(0),not"), "1")
        XCTAssertEqual(value("str(12abc),add(1)"), "13", "strings cast through c_str2int")
    }

    func testAddressesVariablesAndStrings() {
        XCTAssertEqual(value("str(10.1.2.3),ipmask(24)"), "10.1.2.0")
        XCTAssertEqual(value("str(10.1.2.3),ipmask(255.255.0.0)"), "10.1.0.0")
        XCTAssertEqual(value("str(2001:db8::1),ipmask(24,64)"), "2001:db8::")
        XCTAssertEqual(value("str(abc),concat(<,txn.v,>)"), "abc<ok>")
        XCTAssertEqual(value("str(abc),concat(<,txn.none,>)"), "abc<>")
        XCTAssertEqual(value("str(ok),strcmp(txn.v)"), "0")
        XCTAssertEqual(value("str(abc),strcmp(txn.v)"), "-14")
        XCTAssertEqual(value("str(okay),strcmp(txn.v)"), "1")
        XCTAssertEqual(value("var(txn.none,dflt)"), "dflt")
        XCTAssertEqual(value("var(txn.none)"), "<none>")
        XCTAssertEqual(value("str(ab),set-var(txn.z),upper"), "AB")
        XCTAssertEqual(value("var(txn.z)"), "ab", "set-var stored the value it saw")
    }

    func testURLAddressFetches() {
        var c = context
        func v(_ e: String) -> String {
            let f = try! LogFormatParsing.sample(e).get()
            return try! CompiledLogFormat(LogFormat(text: "", parts: [.sample(f)])).string(context: c, acls: nil, missing: "<none>")
        }
        c.request = parseHead("GET http://1.2.3.4:81/x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(v("url_ip"), "1.2.3.4")
        XCTAssertEqual(v("url_port"), "81")
        c.request = parseHead("GET HTTPS://1.2.3.4/x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(v("url_port"), "443")
        c.request = parseHead("GET http://example.com:82/x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(v("url_ip"), "<none>")
        XCTAssertEqual(v("url_port"), "<none>")
        c.request = parseHead("GET /x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(v("url_port"), "<none>")
    }

    func testConverterArgumentErrorsAreHAProxys() {
        func failure(_ e: String) -> String? {
            if case .failure(let f) = LogFormatParsing.sample(e) { return f.message }
            return nil
        }
        XCTAssertEqual(failure("str(a),field(x,_)"), "failed to parse sample expression <str(a),field(x,_)> : invalid arg 1 in converter 'field' : failed to parse 'x' as type 'integer' at position 1")
        XCTAssertEqual(failure("str(a),nosuch"), "failed to parse sample expression <str(a),nosuch> : unknown converter 'nosuch'")
        XCTAssertEqual(failure("str(a),ipmask(33)"), "failed to parse sample expression <str(a),ipmask(33)> : invalid arg 1 in converter 'ipmask' : failed to parse '33' as type 'IPv4 mask' at position 1")
        XCTAssertEqual(failure("str(a),add(foo)"), "failed to parse sample expression <str(a),add(foo)> : invalid args in converter 'add' : expects an integer or a variable name")
        XCTAssertEqual(failure("str(a),regsub(a)"), "failed to parse sample expression <str(a),regsub(a)> : invalid arg 2 in converter 'regsub' : missing arguments (got 1/2), type 'string' expected")
        XCTAssertEqual(failure("str(a),field(0,_)"), "failed to parse sample expression <str(a),field(0,_)> : invalid args in converter 'field' : Unexpected value 0 for index")
    }
}
