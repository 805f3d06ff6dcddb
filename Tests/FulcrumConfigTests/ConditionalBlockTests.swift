import XCTest
@testable import FulcrumConfig

final class ConditionalBlockTests: XCTestCase {
    /// Returns the notices a config emits, to see which branches were taken.
    private func taken(_ text: String, env: [String: String] = [:]) -> [String] {
        let r = parse(text, env: env)
        XCTAssertEqual(r.alerts, [], "unexpected alerts")
        return r.notices.map(\.message)
    }

    private func truth(_ condition: String, env: [String: String] = [:]) -> Bool {
        let notices = taken(".if \(condition)\n.notice yes\n.else\n.notice no\n.endif\n", env: env)
        XCTAssertEqual(notices.count, 1)
        return notices.first == "yes"
    }

    func testIntegersAndEmpty() {
        XCTAssertTrue(truth("1"))
        XCTAssertTrue(truth("42"))
        XCTAssertFalse(truth("0"))
        XCTAssertFalse(truth(""))
        XCTAssertFalse(truth("\"$NOPE\""))
        XCTAssertTrue(truth("\"$ONE\"", env: ["ONE": "1"]))
    }

    func testDefined() {
        XCTAssertTrue(truth("defined(A)", env: ["A": ""]))
        XCTAssertFalse(truth("defined(B)", env: ["A": "x"]))
    }

    func testStringPredicates() {
        XCTAssertTrue(truth("streq(\"$W\",yes)", env: ["W": "yes"]))
        XCTAssertFalse(truth("streq(\"$W\",yes)", env: ["W": "no"]))
        XCTAssertTrue(truth("strneq(\"$W\",yes)", env: ["W": "no"]))
        XCTAssertFalse(truth("strneq(a,a)"))
        XCTAssertTrue(truth("strstr(haystack,st)"))
        XCTAssertFalse(truth("strstr(haystack,needle)"))
        XCTAssertTrue(truth("'streq(\"a,b\",\"a,b\")'"), "second-level quotes protect commas inside arguments")
    }

    func testVersionPredicates() {
        XCTAssertTrue(truth("version_atleast(2.6)"))
        XCTAssertTrue(truth("version_atleast(2.4-dev19)"))
        XCTAssertTrue(truth("version_atleast(2.6-dev3)"))
        XCTAssertFalse(truth("version_atleast(2.6.1)"))
        XCTAssertFalse(truth("version_atleast(2.7)"))
        XCTAssertTrue(truth("version_before(2.7)"))
        XCTAssertTrue(truth("version_before(2.6.1)"))
        XCTAssertFalse(truth("version_before(2.6)"))
        XCTAssertFalse(truth("version_before(2.6-rc1)"))
        XCTAssertFalse(truth("version_before(1.8.30)"))
    }

    func testVersionOrdering() {
        func v(_ s: String) -> HAProxyVersion { HAProxyVersion(s)! }
        XCTAssertTrue(v("2.4-dev19") < v("2.4-rc1"))
        XCTAssertTrue(v("2.4-rc1") < v("2.4"))
        XCTAssertTrue(v("2.4-dev2") < v("2.4-dev10"))
        XCTAssertEqual(v("2.6"), v("2.6.0.0"))
        XCTAssertNil(HAProxyVersion("2.x"))
        XCTAssertNil(HAProxyVersion("2.6-beta1"))
    }

    func testFeatureAndEnabled() {
        XCTAssertTrue(truth("feature(LINUX_SPLICE)"))
        XCTAssertFalse(truth("feature(OPENSSL)"))
        XCTAssertTrue(truth("enabled(EPOLL)"))
        XCTAssertTrue(truth("enabled(reuseport)"))
        XCTAssertFalse(truth("enabled(KQUEUE)"))
    }

    func testOperators() {
        let env = ["A": "1"]
        XCTAssertTrue(truth("!defined(B)", env: env))
        XCTAssertFalse(truth("!!defined(B)", env: env))
        XCTAssertTrue(truth("defined(A) && !defined(B)", env: env))
        XCTAssertTrue(truth("defined(B) || defined(A)", env: env))
        XCTAssertFalse(truth("defined(A) && defined(B)", env: env))
        // && binds tighter than ||.
        XCTAssertTrue(truth("1 || 0 && 0"))
        XCTAssertFalse(truth("(1 || 0) && 0"))
        XCTAssertTrue(truth("!(0 || 0)"))
        XCTAssertTrue(truth("defined(A)&&defined(A)", env: env))
        XCTAssertTrue(truth("\"feature(EPOLL) && (streq($A,1) || 0)\"", env: env))
    }

    func testElifElseChain() {
        let text = """
        .if "${A}"
          .if "${B}"
            .notice "A=1, B=1"
          .elif "${C}"
            .notice "A=1, B=0, C=1"
          .else
            .notice "A=1, B=0, C=0"
          .endif
        .elif 1
          .notice "A=0 first elif"
        .elif 1
          .notice "never: an earlier branch was taken"
        .else
          .notice "never"
        .endif
        """
        XCTAssertEqual(taken(text, env: ["A": "1", "B": "1"]), ["A=1, B=1"])
        XCTAssertEqual(taken(text, env: ["A": "1", "B": "0", "C": "1"]), ["A=1, B=0, C=1"])
        XCTAssertEqual(taken(text, env: ["A": "1"]), ["A=1, B=0, C=0"])
        XCTAssertEqual(taken(text, env: [:]), ["A=0 first elif"])
    }

    func testSkippedBlocksHideKeywordsAndErrors() {
        let r = parse(tcpDefaults + """
        .if defined(NOPE)
        frontend hidden
            bind :1
            nonsense keyword "unterminated
            .notice "not shown"
        .endif
        frontend shown
            bind :2
            default_backend b
        backend b
            server s 127.0.0.1:1
        """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.notices, [])
        XCTAssertEqual(r.configuration.frontends.map(\.name), ["shown"])
    }

    func testMessageDirectives() {
        let r = parse(".diag \"d\"\n.notice n\n.warning \"w x\"\n.alert 'a'\n")
        XCTAssertEqual(r.diagnostics.map(\.severity), [.notice, .notice, .warning, .alert])
        XCTAssertEqual(r.diagnostics.map(\.message), ["d", "n", "w x", "a"])
        XCTAssertEqual(r.diagnostics.map { $0.location?.line }, [1, 2, 3, 4])
        XCTAssertEqual(r.diagnostics.last?.description, "[ALERT] t.cfg:4:1: a")
    }

    func testMessageDirectiveArguments() {
        assertSingleAlert(parse(".notice two words\n"),
                          "unexpected argument 'words' for '.notice'. Use quotes if the message should contain spaces.",
                          line: 1, column: 13)
        assertSingleAlert(parse(".warning\n"), "'.warning' expects a message as its argument", line: 1, column: 1)
    }

    func testUnbalancedBlocks() {
        assertSingleAlert(parse("global\n.if 1\n    daemon\n"),
                          "'.if' block is not terminated: missing '.endif' before the end of the file", line: 2, column: 1)
        assertSingleAlert(parse("global\n  .endif\n"), "'.endif' without a matching '.if'", line: 2, column: 3)
        assertSingleAlert(parse(".else\n"), "'.else' without a matching '.if'", line: 1, column: 1)
        assertSingleAlert(parse(".elif 1\n"), "'.elif' without a matching '.if'", line: 1, column: 1)
        assertSingleAlert(parse(".if 1\n.else\n.else\n.endif\n"),
                          "'.else' used twice in the '.if' block opened at t.cfg:1:1", line: 3, column: 1)
        assertSingleAlert(parse(".if 1\n.else\n.elif 1\n.endif\n"),
                          "'.elif' after '.else' in the '.if' block opened at t.cfg:1:1", line: 3, column: 1)
    }

    func testBlocksDoNotSpanFiles() {
        let r = ConfigParser.parse([ConfigSource(name: "a.cfg", text: ".if 1\n"),
                                    ConfigSource(name: "b.cfg", text: ".endif\n")], environment: [:])
        XCTAssertEqual(r.alerts.map { $0.location?.file }, ["a.cfg", "b.cfg"])
    }

    func testConditionErrors() {
        let unknown = parse(".if defind(A)\n.endif\n")
        XCTAssertEqual(unknown.alerts.first?.message,
                       "in '.if': unknown predicate 'defind' in conditional expression; did you mean 'defined'?")
        XCTAssertEqual(unknown.alerts.first?.location?.column, 5)
        XCTAssertEqual(parse(".if streq(a)\n.endif\n").alerts.first?.message,
                       "in '.if': predicate 'streq' expects 2 arguments, got 1")
        XCTAssertEqual(parse(".if (1\n.endif\n").alerts.first?.message,
                       "in '.if': missing closing parenthesis in conditional expression '(1'")
        XCTAssertEqual(parse(".if defined(A\n.endif\n").alerts.first?.message,
                       "in '.if': missing closing parenthesis after the arguments of 'defined'")
        XCTAssertEqual(parse(".if 1 &&\n.endif\n").alerts.first?.message,
                       "in '.if': missing term at the end of conditional expression '1 &&'")
        XCTAssertEqual(parse(".if version_atleast(two)\n.endif\n").alerts.first?.message,
                       "in '.if': unparsable version number 'two' in 'version_atleast'")
        XCTAssertEqual(parse(".if 1 2\n.endif\n").alerts.first?.message,
                       "in '.if': unexpected character '2' at position 3 in conditional expression '1 2'")
        XCTAssertEqual(parse(".if enabled(FOO)\n.endif\n").alerts.count, 1)
        // A failed condition is false: the block is skipped.
        XCTAssertEqual(parse(".if bogus(\n.alert x\n.endif\n").alerts.count, 1)
    }

    func testUnknownDirective() {
        assertSingleAlert(parse(".iff 1\n"), "unknown directive '.iff'; did you mean '.if'?", line: 1, column: 1)
    }
}
