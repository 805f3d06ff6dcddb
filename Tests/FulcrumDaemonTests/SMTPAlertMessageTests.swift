import XCTest
import FulcrumConfig
@testable import FulcrumDaemon

/// The e-mail text and SMTP dialogue of a VRRP state-change alert, as
/// keepalived writes them, and the parsing of the server's replies.
final class SMTPAlertMessageTests: XCTestCase {
    private let date = "Mon, 01 Mar 2021 09:44:08 +0000"

    private func message(_ kind: SMTPAlertMessage.Kind = .instance, _ state: SMTPAlertMessage.State = .master,
                         to: [String] = ["ops@example.com"]) -> SMTPAlertMessage {
        SMTPAlertMessage(routerID: "lb1", from: "keepalived@lb1.example.com", to: to, name: "VI_1",
                         kind: kind, state: state, date: date)
    }

    func testSubjectsOfInstancesAndGroups() {
        XCTAssertEqual(message(.instance, .master).subject, "[lb1] VRRP Instance VI_1 - Entering MASTER state")
        XCTAssertEqual(message(.instance, .backup).subject, "[lb1] VRRP Instance VI_1 - Entering BACKUP state")
        XCTAssertEqual(message(.instance, .fault).subject, "[lb1] VRRP Instance VI_1 - Entering FAULT state")
        XCTAssertEqual(message(.instance, .stop).subject, "[lb1] VRRP Instance VI_1 - Stopping")
        XCTAssertEqual(message(.group, .master).subject, "[lb1] VRRP Group VI_1 - Entering MASTER state")
        XCTAssertEqual(message(.group, .stop).subject, "[lb1] VRRP Group VI_1 - Stopping")
    }

    func testBodiesOfEveryKindAndState() {
        XCTAssertEqual(message(.instance, .master).body, "=> VRRP Instance is now owning VRRP VIPs <=")
        XCTAssertEqual(message(.instance, .backup).body, "=> VRRP Instance is no longer owning VRRP VIPs <=")
        XCTAssertEqual(message(.instance, .fault).body, "=> VRRP Instance is no longer owning VRRP VIPs <=")
        XCTAssertEqual(message(.instance, .stop).body, "=> VRRP Instance stopping <=")
        XCTAssertEqual(message(.group, .master).body, "=> All VRRP group instances are now in MASTER state <=")
        XCTAssertEqual(message(.group, .backup).body, "=> All VRRP group instances are now in BACKUP state <=")
        XCTAssertEqual(message(.group, .fault).body, "=> All VRRP group instances are now in FAULT state <=")
        XCTAssertEqual(message(.group, .stop).body, "=> All VRRP group instances are now stopping <=")
    }

    func testDataHasKeepalivedHeadersFoldedRecipientsAndTheEndDot() {
        let m = message(to: ["a@example.com", "Bob <b@example.com>"])
        XCTAssertEqual(m.data, """
            Date: Mon, 01 Mar 2021 09:44:08 +0000\r
            From: keepalived@lb1.example.com\r
            Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state\r
            X-Mailer: Keepalived\r
            To: a@example.com,\r
             Bob <b@example.com>\r
            \r
            => VRRP Instance is now owning VRRP VIPs <=\r
            \r
            .\r

            """)
    }

    func testDialogueSendsOneRcptPerAddressInOrderWithExpectedCodes() {
        let m = message(to: ["a@example.com", "Bob <b@example.com>"])
        let steps = m.dialogue(helo: "lb1.example.com")
        XCTAssertEqual(steps.map(\.name), ["connect", "HELO", "MAIL", "RCPT", "RCPT", "DATA", "DOT", "QUIT"])
        XCTAssertEqual(steps.map(\.command), [
            nil, "HELO lb1.example.com\r\n", "MAIL FROM:<keepalived@lb1.example.com>\r\n",
            "RCPT TO:<a@example.com>\r\n", "RCPT TO:<b@example.com>\r\n", "DATA\r\n", m.data, "QUIT\r\n",
        ])
        XCTAssertEqual(steps.map(\.expected), [220, 250, 250, 250, 250, 354, 250, 221])
    }

    func testEnvelopeAddressTakesTheAngleBracketPart() {
        XCTAssertEqual(SMTPAlertMessage.envelope("a@b"), "<a@b>")
        XCTAssertEqual(SMTPAlertMessage.envelope("Ops Team <ops@b>"), "<ops@b>")
        XCTAssertEqual(SMTPAlertMessage.envelope("<ops@b>"), "<ops@b>")
    }

    func testLineBreaksInNamesCannotInjectHeadersOrCommands() {
        var m = message()
        m.name = "VI_1\r\nBcc: evil@example.com"
        m.from = "x@y\r\nRCPT TO:<evil@example.com>"
        XCTAssertFalse(m.subject.contains("\n"))
        XCTAssertFalse(m.data.contains("\r\nBcc:"))
        let mail = m.dialogue(helo: "h").first { $0.name == "MAIL" }!.command!
        XCTAssertEqual(mail.filter { $0 == "\r\n" }.count, 1, mail)
        XCTAssertTrue(mail.hasSuffix("\r\n"))
    }

    func testSingleLineReply() {
        XCTAssertEqual(SMTPReply.parse(Array("220 mail.example.com ESMTP ready\r\n".utf8)),
                       .reply(SMTPReply(code: 220, lines: ["mail.example.com ESMTP ready"]), consumed: 34))
        XCTAssertEqual(SMTPReply.parse(Array("250\r\n".utf8)), .reply(SMTPReply(code: 250, lines: [""]), consumed: 5))
    }

    func testMultiLineReplyEndsAtTheLineWithASpace() {
        let text = "250-mail.example.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n354 go on\r\n"
        guard case .reply(let reply, let consumed) = SMTPReply.parse(Array(text.utf8)) else {
            return XCTFail("no reply parsed")
        }
        XCTAssertEqual(reply, SMTPReply(code: 250, lines: ["mail.example.com", "PIPELINING", "8BITMIME"]))
        // The next reply is left for the next call.
        XCTAssertEqual(SMTPReply.parse(Array(Array(text.utf8)[consumed...])),
                       .reply(SMTPReply(code: 354, lines: ["go on"]), consumed: 11))
    }

    func testPartialRepliesAskForMore() {
        XCTAssertEqual(SMTPReply.parse([]), .incomplete)
        XCTAssertEqual(SMTPReply.parse(Array("250 ok".utf8)), .incomplete)
        XCTAssertEqual(SMTPReply.parse(Array("250-first\r\n250-sec".utf8)), .incomplete)
        XCTAssertEqual(SMTPReply.parse(Array("250-first\r\n".utf8)), .incomplete)
    }

    func testMalformedReplies() {
        XCTAssertEqual(SMTPReply.parse(Array("hello\r\n".utf8)), .malformed("hello"))
        XCTAssertEqual(SMTPReply.parse(Array("25x ok\r\n".utf8)), .malformed("25x ok"))
        XCTAssertEqual(SMTPReply.parse(Array("250-a\r\n550 b\r\n".utf8)), .malformed("550 b"))
        XCTAssertEqual(SMTPReply.parse(Array(repeating: UInt8(ascii: "2"), count: SMTPReply.maximumLineLength + 1)),
                       .malformed("reply line longer than \(SMTPReply.maximumLineLength) bytes"))
    }

    func testRequestArgumentsRoundTrip() throws {
        let request = SMTPAlertRequest(host: "::1", port: 2525, timeoutSeconds: 3, helo: "lb1", from: "Ops <k@lb1>",
                                       to: ["a@x", "b@x"], routerID: "rid", name: "G1", kind: .group, state: .fault)
        XCTAssertEqual(try SMTPAlertRequest.parse(request.arguments), request)
        let o = try CommandLineOptions.parse(["--role", "smtp-alert", "--"] + request.arguments)
        XCTAssertEqual(o.role, "smtp-alert")
        XCTAssertEqual(o.smtpAlertArguments, request.arguments)
    }

    func testRequestParseErrorsNameTheProblem() {
        let ok = ["--server", "h", "--port", "25", "--timeout", "5", "--helo", "h", "--from", "f@h",
                  "--to", "t@h", "--router-id", "r", "--instance", "VI", "--state", "MASTER"]
        XCTAssertNoThrow(try SMTPAlertRequest.parse(ok))
        func error(_ words: [String]) -> String? {
            do { _ = try SMTPAlertRequest.parse(words); return nil } catch { return error.description }
        }
        XCTAssertEqual(error(Array(ok.dropLast(2))), "missing --state")
        XCTAssertEqual(error(ok.map { $0 == "MASTER" ? "UP" : $0 }), "unknown --state 'UP' (MASTER, BACKUP, FAULT or STOP)")
        XCTAssertEqual(error(ok.map { $0 == "25" ? "0" : $0 }), "--port needs a number from 1 to 65535")
        XCTAssertEqual(error(ok + ["--group", "G"]), "give one of --instance or --group")
        XCTAssertEqual(error(ok + ["--bogus", "x"]), "unknown option '--bogus'")
        XCTAssertEqual(error(ok + ["--to"]), "option '--to' needs a value")
    }

    func testLauncherDefaultsFollowKeepalived() {
        var g = VRRPGlobalDefinitions()
        XCTAssertNil(SMTPAlert.request(globals: g, name: "VI_1", isGroup: false, state: "MASTER", hostName: "lb1", userName: "root"))
        g.smtpServer = VRRPSMTPServer(host: "192.0.2.25")
        XCTAssertNil(SMTPAlert.request(globals: g, name: "VI_1", isGroup: false, state: "MASTER", hostName: "lb1", userName: "root"))
        g.notificationEmail = ["ops@example.com"]
        XCTAssertNil(SMTPAlert.request(globals: g, name: "VI_1", isGroup: false, state: "UP", hostName: "lb1", userName: "root"))
        let r = SMTPAlert.request(globals: g, name: "VI_1", isGroup: false, state: "BACKUP", hostName: "lb1", userName: "root")
        XCTAssertEqual(r, SMTPAlertRequest(host: "192.0.2.25", port: 25, timeoutSeconds: 30, helo: "lb1", from: "root@lb1",
                                           to: ["ops@example.com"], routerID: "lb1", name: "VI_1", kind: .instance, state: .backup))
        g.routerID = "edge"
        g.notificationEmailFrom = "alerts@example.com"
        g.smtpConnectTimeout = 4
        let s = SMTPAlert.request(globals: g, name: "SG", isGroup: true, state: "STOP", hostName: "lb1", userName: "root")
        XCTAssertEqual(s?.routerID, "edge")
        XCTAssertEqual(s?.from, "alerts@example.com")
        XCTAssertEqual(s?.timeoutSeconds, 4)
        XCTAssertEqual(s?.kind, .group)
    }
}
