import XCTest
@testable import FulcrumConfig

final class TokenizerTests: XCTestCase {
    func testWordsAndComments() {
        XCTAssertEqual(words("  server   s1\t127.0.0.1:80  # comment"), ["server", "s1", "127.0.0.1:80"])
        XCTAssertEqual(words("# only a comment"), [])
        XCTAssertEqual(words("a#b c"), ["a"])
        XCTAssertEqual(words("crlf line\r"), ["crlf", "line"])
    }

    func testColumns() {
        let t = LineTokenizer(environment: [:], pseudoVariables: [:])
        let (w, _) = t.split("  bind\t'*:80'  x")
        XCTAssertEqual(w.map(\.column), [3, 8, 16])
    }

    func testQuoting() {
        XCTAssertEqual(words("a \"b c\" 'd e' \"\""), ["a", "b c", "d e", ""])
        XCTAssertEqual(words("'#' \"#\""), ["#", "#"])
        XCTAssertEqual(words("\"x\"'y'z"), ["xyz"])
        XCTAssertEqual(words("'a\\b'"), ["a\\b"])
        XCTAssertEqual(words("\"it's\""), ["it's"])
    }

    func testEscapes() {
        XCTAssertEqual(words("a\\ b \\\\ \\# \\' \\\" \\$"), ["a b", "\\", "#", "'", "\"", "$"])
        XCTAssertEqual(words("\\x41\\x62 \"\\x20\""), ["Ab", " "])
        XCTAssertEqual(words("x\\ty\\nz\\r"), ["x\ty\nz\r"])
        XCTAssertEqual(words("\\q"), ["\\q"], "unknown escapes stay as written")
    }

    func testUnmatchedQuoteIsAFailureWithColumn() {
        let t = LineTokenizer(environment: [:], pseudoVariables: [:])
        XCTAssertEqual(t.split("bind \"abc").failure, .init(column: 6, message: "unmatched double quote"))
        XCTAssertEqual(t.split("x 'abc").failure, .init(column: 3, message: "unmatched single quote"))
        XCTAssertEqual(t.split("x \\x4").failure?.column, 3)
    }

    func testEnvironmentExpansion() {
        let env = ["FOO": "bar", "EMPTY": "", "LIST": "a b  c"]
        XCTAssertEqual(words("\"$FOO\" \"${FOO}\" \"x${FOO}y\"", env: env), ["bar", "bar", "xbary"])
        // Unquoted: only the braced form expands; a bare $name stays literal as in HAProxy.
        XCTAssertEqual(words("$FOO ${FOO} fd@${FOO}", env: env), ["$FOO", "bar", "fd@bar"])
        XCTAssertEqual(words("$6$rounds=5000$salt$hash", env: ["rounds": "x", "salt": "y"]), ["$6$rounds=5000$salt$hash"])
        XCTAssertEqual(words("'$FOO' '${FOO}'", env: env), ["$FOO", "${FOO}"])
        XCTAssertEqual(words("\\$FOO", env: env), ["$FOO"])
        XCTAssertEqual(words("a $ b 5$", env: env), ["a", "$", "b", "5$"])
    }

    func testDefaultsApplyOnlyToUnsetVariables() {
        let env = ["EMPTY": "", "SET": "v"]
        XCTAssertEqual(words("\"${NOPE-def}\" \"${EMPTY-def}\" \"${SET-def}\" \"${NOPE-d e}\"", env: env),
                       ["def", "", "v", "d e"])
    }

    func testEmptyUnquotedVariableProducesNoWord() {
        XCTAssertEqual(words("a ${NOPE} b \"$NOPE\"", env: [:]), ["a", "b", ""])
    }

    func testListExpansion() {
        XCTAssertEqual(words("x ${LIST[*]} y", env: ["LIST": "a b  c"]), ["x", "a", "b", "c", "y"])
    }

    func testPseudoVariables() {
        XCTAssertEqual(words("\"${.FILE}:${.LINE}\" \"$.SECTION\""), ["f.cfg:7", "web"])
    }

    func testUnclosedBrace() {
        let t = LineTokenizer(environment: [:], pseudoVariables: [:])
        XCTAssertEqual(t.split("bind \"${FOO\"").failure?.message, "unmatched brace in environment variable name")
        XCTAssertEqual(t.split("bind \"${FOO\"").failure?.column, 7)
    }

    func testTokenizerErrorsReachDiagnostics() {
        let r = parse("global\n    pidfile \"/run/x.pid\n")
        assertSingleAlert(r, "unmatched double quote", line: 2, column: 13)
    }

    func testEnvironmentInKeywords() {
        let r = parse(tcpDefaults + "frontend f\n  bind \"${ADDR-127.0.0.1}:${PORT}\"\n  default_backend b\nbackend b\n  server s1 $SRV\n",
                      env: ["PORT": "8080", "SRV": "10.0.0.1:81"])
        // `$SRV` unquoted is literal (HAProxy's rule).
        XCTAssertEqual(r.configuration.backends.first?.servers.first?.host, "$SRV")
        let q = parse(tcpDefaults + "frontend f\n  bind \"${ADDR-127.0.0.1}:${PORT}\"\n  default_backend b\nbackend b\n  server s1 \"$SRV\"\n",
                      env: ["PORT": "8080", "SRV": "10.0.0.1:81"])
        XCTAssertEqual(q.alerts, [])
        XCTAssertEqual(q.configuration.backends.first?.servers.first?.host, "10.0.0.1")
        XCTAssertEqual(q.configuration.backends.first?.servers.first?.port, 81)
    }

    func testUnquotedBareVariableStaysLiteralInKeywords() {
        let r = parse(tcpDefaults + "frontend f\n  bind :1\n  default_backend b\nbackend b\n  server s1 $SRV\n",
                      env: ["SRV": "10.0.0.1:81"])
        XCTAssertEqual(r.configuration.backends.first?.servers.first?.host, "$SRV")
        XCTAssertNil(r.configuration.backends.first?.servers.first?.port)
    }
}
