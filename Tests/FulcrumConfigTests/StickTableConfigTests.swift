import XCTest
@testable import FulcrumConfig

/// `stick-table`: every key type and 2.6 data type loads into the model;
/// wrong arguments are refused at their line and column with HAProxy's
/// words; a stored type given twice is HAProxy's warning.
final class StickTableConfigTests: XCTestCase {
    private func parseTable(_ line: String) -> ParseResult {
        parse(tcpDefaults + "backend st\n    " + line + "\n")
    }

    func testEveryDataTypeLoads() throws {
        let r = parseTable("stick-table type ip size 100k expire 30s nopurge srvkey addr store server_id,server_key,gpc0,gpc1,gpc0_rate(10s),gpc1_rate(1m),gpt0,conn_cnt,conn_cur,conn_rate(3s) store sess_cnt,sess_rate(10s),http_req_cnt,http_req_rate(10s),http_err_cnt,http_err_rate(10s),http_fail_cnt,http_fail_rate(10s),bytes_in_cnt,bytes_in_rate(1s),bytes_out_cnt,bytes_out_rate(1s)")
        XCTAssertEqual(r.alerts.map(\.message), [])
        let t = try XCTUnwrap(r.configuration.stickTables.first)
        XCTAssertEqual(t.name, "st")
        XCTAssertEqual(t.keyType, .ip)
        XCTAssertEqual(t.size, 102_400)
        XCTAssertEqual(t.expire, 30_000)
        XCTAssertTrue(t.noPurge)
        XCTAssertNil(t.peers)
        XCTAssertEqual(t.serverKey, .addr)
        XCTAssertEqual(t.data.count, 22)
        XCTAssertEqual(t.data.map(\.type), t.data.map(\.type).sorted(), "HAProxy's order")
        XCTAssertEqual(t.stored(.connRate)?.period, 3000)
        XCTAssertEqual(t.stored(.gpc1Rate)?.period, 60_000)
        XCTAssertEqual(r.configuration.stickTable(named: "st"), 0)
    }

    func testArraysAndKeyTypes() throws {
        let r = parseTable("stick-table type string len 12 size 10 store gpt(3),gpc(2),gpc_rate(2,10s)")
        XCTAssertEqual(r.alerts.map(\.message), [])
        let t = try XCTUnwrap(r.configuration.stickTables.first)
        XCTAssertEqual(t.keyType, .string(length: 13), "a NUL after 12 characters")
        XCTAssertEqual(t.stored(.gpt)?.count, 3)
        XCTAssertEqual(t.stored(.gpcRate), StickStoredData(.gpcRate, period: 10_000, count: 2))
        XCTAssertEqual(parseTable("stick-table type binary size 1").configuration.stickTables.first?.keyType, .binary(length: 32))
        XCTAssertEqual(parseTable("stick-table type string size 1").configuration.stickTables.first?.keyType, .string(length: 32))
        XCTAssertEqual(parseTable("stick-table type ipv6 size 1g").configuration.stickTables.first?.size, 1 << 30)
        XCTAssertEqual(parseTable("stick-table type integer size 7").configuration.stickTables.first?.keyType.keySize, 4)
    }

    func testRefusals() {
        let cases: [(String, String, Int)] = [
            ("stick-table type ip", "stick-table: missing size.", 5),
            ("stick-table size 10", "stick-table: missing type.", 5),
            ("stick-table type ip size 10x", "stick-table: unexpected character 'x' in argument of 'size'.", 30),
            ("stick-table type foo size 10", "stick-table: unknown type 'foo'.", 22),
            ("stick-table type ip size 10 store http_req_rate", "stick-table: missing argument to store option 'http_req_rate'.", 39),
            ("stick-table type ip size 10 store gpc0(3)", "stick-table: unexpected argument to store option 'gpc0'.", 39),
            ("stick-table type ip size 10 store foo", "stick-table: unknown store option 'foo'.", 39),
            ("stick-table type ip size 10 store gpc(101)", "stick-table: array size is out of allowed range (1-100) for store option 'gpc'.", 39),
            ("stick-table type ip size 10 store gpc(2),gpc0", "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overlaps 'gpc[0/1]'.", 39),
            ("stick-table type ip size 10 bogus", "stick-table: unknown argument 'bogus'.", 33),
            ("stick-table type ip size 10 srvkey port", "stick-table: unknown server key type 'port'.", 40),
        ]
        for (line, message, column) in cases {
            assertSingleAlert(parseTable(line), message, line: 8, column: column)
        }
        let twice = parse(tcpDefaults + "backend st\n    stick-table type ip size 1\n    stick-table type ip size 2\n")
        assertSingleAlert(twice, "Only one stick-table per proxy allowed.", line: 9, column: 5)
        let defaults = parse(tcpDefaults + "defaults\n    stick-table type ip size 1\n")
        XCTAssertEqual(defaults.alerts.first?.message, "'stick-table' is not allowed in 'defaults' section")
    }

    func testStoredTwiceWarns() throws {
        let r = parseTable("stick-table type ip size 10 store conn_cur,conn_cur")
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.warnings.map(\.message), ["stick-table: store option 'conn_cur' already enabled, ignored."])
        XCTAssertEqual(r.configuration.stickTables.first?.data.count, 1)
    }
}

/// `stick on|match|store-request|store-response` and `non-stick`.
final class StickRuleConfigTests: XCTestCase {
    func testStickRulesLoadAndTheirTableStoresTheServer() throws {
        let r = parse(tcpDefaults + """
            backend be
                stick-table type ip size 10 store conn_cur
                stick on src
                stick match req.cook(SID) table other if { path_beg /x }
                stick store-response res.cook(SID) table other
                server a 10.0.0.1:80 non-stick
            backend other
                stick-table type string len 20 size 10

            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let b = try XCTUnwrap(r.configuration.backends.first)
        XCTAssertEqual(b.stickRules.map(\.kind), [.on, .match, .storeResponse])
        XCTAssertEqual(b.stickRules.map(\.table), ["be", "other", "other"])
        XCTAssertNotNil(b.stickRules[1].condition)
        XCTAssertTrue(b.servers[0].params.nonStick)
        XCTAssertEqual(r.configuration.stickTables.map { $0.data.map(\.type) },
                       [[.serverID, .connCurrent, .serverKey], [.serverID, .serverKey]], "HAProxy adds server_id and server_key")
    }

    func testStickRefusals() {
        let base = tcpDefaults + "backend be\n    server a 10.0.0.1:80\n    "
        assertSingleAlert(parse(base + "stick on src\n"), "Proxy 'be': unable to find stick-table 'be'.", line: 9, column: 5)
        assertSingleAlert(parse(base + "stick keep src\n"), "'stick': unknown keyword 'keep'.", line: 9, column: 11)
        assertSingleAlert(parse(base + "stick on\n"), "'stick': missing fetch method.", line: 9, column: 11)
        assertSingleAlert(parse(base + "stick-table type ip size 1\n    stick on src tables x\n"), "'stick': unknown keyword 'tables'.", line: 10, column: 18)
    }
}

/// `http-request track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*` in the model, and
/// their refusals at the word.
final class StickActionConfigTests: XCTestCase {
    private func http(_ lines: String) -> ParseResult {
        parse("defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind :80\n"
              + lines + "\n    default_backend be\nbackend be\n    server s 10.0.0.1:80\n    stick-table type string size 10\n")
    }

    func testActionsLoad() throws {
        let r = http("""
                stick-table type ip size 10 store gpt(2),gpc(2)
                http-request track-sc0 src
                http-request track-sc1 req.hdr(host),lower table be if { path_beg /a }
                http-request sc-inc-gpc0(0)
                http-request sc-inc-gpc(1,0)
                http-request sc-set-gpt0(0) 7
                http-request sc-set-gpt(1,2) req.hdr_cnt
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let actions = try XCTUnwrap(r.configuration.frontends.first).http.requestRules.map(\.action)
        XCTAssertEqual(actions[0], .stick(.track(counter: 0, key: SampleFetch(name: "src"), table: nil)))
        guard case .stick(.track(1, let key, "be"))? = actions.dropFirst().first else { return XCTFail("\(actions)") }
        XCTAssertEqual(key.converters.count, 1)
        XCTAssertEqual(actions[2], .stick(.incrementGPC(counter: 0, index: 0, legacy: true)))
        XCTAssertEqual(actions[3], .stick(.incrementGPC(counter: 0, index: 1, legacy: false)))
        XCTAssertEqual(actions[4], .stick(.setGPT(counter: 0, index: 0, legacy: true, value: SampleFetch(name: "int", arguments: ["7"]))))
        guard case .stick(.setGPT(2, 1, false, _))? = actions.last else { return XCTFail("\(actions)") }
    }

    func testRefusals() {
        XCTAssertEqual(http("    http-request track-sc0 src").alerts.map(\.message),
                       ["'http-request track-sc*' : proxy 'fe' has no stick-table; add one or name another proxy's with 'table'"])
        XCTAssertEqual(http("    http-request track-sc0 src table nope").alerts.map(\.message),
                       ["'http-request track-sc*' : unable to find table 'nope'"])
        XCTAssertEqual(http("    http-request track-sc3 src table be").alerts.map(\.message),
                       ["'http-request track-sc3': invalid stick counter; expected a value between 0 and 2"])
        XCTAssertEqual(http("    http-request sc-inc-gpc0(4)").alerts.map(\.message),
                       ["'http-request sc-inc-gpc0(4)': invalid stick counter '4'; expected a value between 0 and 2"])
        XCTAssertEqual(http("    http-request track-sc0 src tables be").alerts.map(\.message),
                       ["'http-request track-sc0' : unexpected argument 'tables' (expected 'table' followed by a table name, 'if' or 'unless')"])
    }

    func testResponseActionsLoad() throws {
        let r = http("""
                stick-table type ip size 10 store gpt(2),gpc(2)
                http-response track-sc0 src
                http-response track-sc1 res.hdr(x-tag) table be if { status 404 }
                http-response sc-inc-gpc(1,0)
                http-response sc-set-gpt(1,0) status
                http-response sc-inc-gpc1
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let actions = try XCTUnwrap(r.configuration.frontends.first).http.responseRules.map(\.action)
        XCTAssertEqual(actions.first, .stick(.track(counter: 0, key: SampleFetch(name: "src"), table: nil)))
        XCTAssertEqual(actions.dropFirst().first, .stick(.track(counter: 1, key: SampleFetch(name: "res.hdr", arguments: ["x-tag"]), table: "be")))
        XCTAssertEqual(actions.dropFirst(2).first, .stick(.incrementGPC(counter: 0, index: 1, legacy: false)))
        XCTAssertEqual(actions.dropFirst(3).first, .stick(.setGPT(counter: 0, index: 1, legacy: false, value: SampleFetch(name: "status"))))
        XCTAssertEqual(actions.last, .stick(.incrementGPC(counter: 0, index: 1, legacy: true)), "no parentheses: counter 0, as HAProxy")
    }

    func testResponseRefusals() {
        XCTAssertEqual(http("    http-response track-sc0 src").alerts.map(\.message),
                       ["'http-response track-sc*' : proxy 'fe' has no stick-table; add one or name another proxy's with 'table'"])
        XCTAssertEqual(http("    http-response track-sc0 req.hdr(host) table be").alerts.map(\.message),
                       ["error detected in frontend 'fe' while parsing 'http-response track-sc0' rule : fetch method 'req.hdr(host)' extracts information from 'HTTP request headers', none of which is available here."])
        XCTAssertEqual(http("    http-response sc-set-gpt0(0) req.len").alerts.map(\.message),
                       ["error detected in frontend 'fe' while parsing 'http-response sc-set-gpt0(0)' rule : fetch method 'req.len' extracts information from 'request buffer', none of which is available here."])
    }
}

