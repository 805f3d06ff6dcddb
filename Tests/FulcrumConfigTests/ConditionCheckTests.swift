import XCTest
import FulcrumConfig

/// `-cc EXPR` evaluates as `.if` does, after the line tokenizer (quotes,
/// environment variables).
final class ConditionCheckTests: XCTestCase {
    private func check(_ text: String, env: [String: String] = [:], verifyNone: Bool = false) -> Bool? {
        try? ConfigParser.evaluateCondition(text, environment: env, serverVerifyNone: verifyNone).get()
    }

    func testValuesAndPredicates() {
        XCTAssertEqual(check("version_atleast(2.4)"), true)
        XCTAssertEqual(check("version_before(2.4)"), false)
        XCTAssertEqual(check("1"), true)
        XCTAssertEqual(check(""), false)
        XCTAssertEqual(check("defined(X) && !defined(Y)", env: ["X": "1"]), true)
    }

    func testQuotedEnvironmentIsExpandedAsInAFile() {
        XCTAssertEqual(check(#"streq("$PEER",lb1)"#, env: ["PEER": "lb1"]), true)
        XCTAssertEqual(check(#"streq("${PEER}",lb2)"#, env: ["PEER": "lb1"]), false)
    }

    func testServerVerifyNoneIsAnEnabledOption() {
        XCTAssertEqual(check("enabled(SERVER-SSL-VERIFY-NONE)"), false)
        XCTAssertEqual(check("enabled(SERVER-SSL-VERIFY-NONE)", verifyNone: true), true)
    }

    func testErrorsAreFailuresNotFalse() {
        guard case .failure(let f) = ConfigParser.evaluateCondition("foo(1)", environment: [:]) else {
            return XCTFail("an unknown predicate must fail")
        }
        XCTAssertTrue(f.message.contains("unknown predicate 'foo'"), f.message)
        XCTAssertNil(check(#"streq("a"#), "an unterminated quote")
    }
}
