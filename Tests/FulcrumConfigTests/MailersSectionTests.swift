import XCTest
@testable import FulcrumConfig

/// `mailers` sections and `email-alert`, with haproxy 2.6's messages (from
/// `haproxy -c` on the same lines).
final class MailersSectionTests: XCTestCase {
    private let mailers = "mailers mta\n  mailer smtp1 127.0.0.1:25\n  timeout mail 20s\n"

    func testSectionAndCompleteAlert() {
        let r = parse(mailers + tcpDefaults + "backend b\n  email-alert mailers mta\n  email-alert from a@b\n  email-alert to c@d\n  email-alert level notice\n  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.configuration.mailers.first?.mailers.map(\.port), [25])
        XCTAssertEqual(r.configuration.mailers.first?.timeoutMail, 20000)
        XCTAssertEqual(r.configuration.backend(named: "b")?.emailAlert?.level, .notice)
        XCTAssertEqual(r.configuration.backend(named: "b")?.emailAlert?.to, "c@d")
    }

    func testIncompleteAlertIsIgnoredWithHAProxysWarning() {
        let r = parse(mailers + tcpDefaults + "backend b\n  email-alert from a@b\n  server s 10.0.0.1:80 check\n")
        XCTAssertNil(r.configuration.backend(named: "b")?.emailAlert)
        XCTAssertEqual(r.diagnostics.filter { $0.severity == .warning }.map(\.message), [
            "'email-alert' will be ignored for backend 'b' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).",
            "Removing incomplete section 'mailers mta'.",
        ])
    }

    func testErrors() {
        let r = parse(mailers + "mailers mta\n" + "mailers m2\n  timeout mail\n  mailer x 1.2.3.4\n" + tcpDefaults
                      + "backend b\n  email-alert level bogus\n  email-alert foo x\n  email-alert mailers nope\n  email-alert from a\n  email-alert to b\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "mailers section 'mta' has the same name as another mailers section declared at t.cfg:1:1.",
            "'timeout mail' expects <time> as argument.",
            "'mailer x' : missing port specification in '1.2.3.4'",
            "unknown log level 'bogus' after 'level'",
            "email-alert: unknown argument 'foo'.",
            "Proxy 'b': unable to find mailers 'nope'.",
        ])
    }
}
