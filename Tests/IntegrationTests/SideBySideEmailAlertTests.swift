import XCTest

/// `mailers` + `email-alert` side by side with haproxy 2.6: each proxy mails
/// its own SMTP server (aiosmtpd, `PrivateSMTPServer`); as the checked server
/// goes down and up, both must send the same mails (HELO name, envelope,
/// headers, subject and body; only the Date differs by nature), at the
/// levels `email-alert level` asks for.
final class SideBySideEmailAlertTests: XCTestCase {
    func testStateChangesAreMailedAsHAProxyMailsThem() throws {
        let server = try startBackend(.echo)
        var smtp: [ProxyUnderTest: PrivateSMTPServer] = [:]
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            smtp[proxy] = try PrivateSMTPServer(self)
            substitutions[proxy] = ["{smtp}": "\(smtp[proxy]!.port)"]
        }
        let config = """
            mailers mta
                mailer relay 127.0.0.1:{smtp}
                timeout mail 5s
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s
                email-alert mailers mta
                email-alert from haproxy@example.com
                email-alert to ops@example.com
            listen all
                bind 127.0.0.1:{port}
                email-alert level info
                email-alert myhostname lb1.example.com
                server s1 127.0.0.1:\(server.port) check inter 200 rise 1 fall 1
            backend downs_only
                email-alert myhostname lb1.example.com
                server s2 127.0.0.1:\(server.port) check inter 200 rise 1 fall 1

            """
        let proxies = try SideBySide(self, config: config, backends: [], substitutions: substitutions)

        // Mail as compared: the Date header's value is the moment it was sent,
        // and a check's duration is how long it took on a busy machine.
        // (By pattern: a String splits "\r\n" as one Character, not at "\n".)
        func normalized(_ mail: PrivateSMTPServer.Mail) -> String {
            let content = mail.content.replacingOccurrences(of: "(^|\n)Date: [^\r\n]*", with: "$1Date: <date>",
                                                            options: .regularExpression)
                .replacingOccurrences(of: "check duration: [0-9]+ms", with: "check duration: <n>ms", options: .regularExpression)
            return "HELO \(mail.helo)\nFROM \(mail.from)\nTO \(mail.to)\n\(content)"
        }
        func mails(_ count: Int, _ what: String) -> [String] {
            var got: [ProxyUnderTest: [String]] = [:]
            let ok = waitUntil(timeout: 10, interval: 0.05) {
                for proxy in ProxyUnderTest.allCases { got[proxy] = smtp[proxy]!.mails.map(normalized) }
                return got.values.allSatisfy { $0.count >= count }
            }
            XCTAssertTrue(ok, "\(what): fulcrum \(got[.fulcrum] ?? []) haproxy \(got[.haproxy] ?? [])")
            XCTAssertEqual(got[.fulcrum]?.sorted(), got[.haproxy]?.sorted(), what)
            return got[.fulcrum] ?? []
        }
        // Both servers go DOWN: an alert, mailed for both backends.
        server.stopListening()
        let down = mails(2, "down")
        XCTAssertEqual(down.count, 2)
        XCTAssertTrue(down.contains { $0.contains("Subject: [HAProxy Alert] Server all/s1 is DOWN, reason: Layer4 connection problem") }, "\(down)")
        XCTAssertTrue(down.allSatisfy { $0.hasPrefix("HELO lb1.example.com\nFROM haproxy@example.com\nTO [\"ops@example.com\"]") }, "\(down)")
        // Back UP: a notice, mailed only where the level is info.
        try server.startListening()
        let all = mails(3, "up")
        XCTAssertEqual(all.count, 3)
        XCTAssertTrue(all.contains { $0.contains("Subject: [HAProxy Alert] Server all/s1 is UP") }, "\(all)")
        XCTAssertFalse(all.contains { $0.contains("downs_only/s2 is UP") }, "\(all)")
        // Down again once both saw downs_only/s2 UP (which mails nothing):
        // two more, and nothing else was sent in between (an UP mail for
        // downs_only would have come before these).
        for proxy in ProxyUnderTest.allCases {
            XCTAssertTrue(proxies.processes[proxy]!.waitForStderr(containing: "Server downs_only/s2 is UP", timeout: 10), "\(proxy)")
        }
        server.stopListening()
        let again = mails(5, "down again")
        XCTAssertEqual(again.count, 5, "\(again)")
        XCTAssertEqual(again.filter { $0.contains("is DOWN") }.count, 4, "\(again)")
    }
}
