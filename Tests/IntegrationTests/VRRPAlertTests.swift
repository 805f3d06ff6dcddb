import XCTest
import Foundation

/// smtp_alert from the VRRP child: on becoming MASTER (and on stop) the node
/// mails the configured server — here a real SMTP server (Python's smtpd)
/// in the lab's client namespace — with keepalived's subject.
final class VRRPAlertTests: XCTestCase {
    func testSMTPAlertIsMailedOnTransitions() throws {
        let python = try requireTool("python3")
        guard try CommandRunner.run(python, ["-W", "ignore", "-c", "import smtpd"], timeout: 20).succeeded else {
            throw XCTSkip("needs Python's smtpd module (Python 3.11 or older)")
        }
        let lab = try makeVRRPLab(nodes: 1)
        let received = lab.directory.file("received")
        let script = try lab.directory.write(RecordingSMTPScript.fileName, RecordingSMTPScript.source)
        _ = try lab.start(in: lab.clientNamespace, label: "smtpd", python, ["-W", "ignore", script, received, "2525", "", "0.0.0.0"])
        var config = KeepalivedConfig()
        config.routerID = "lb-node1"
        config.state = "MASTER"
        config.priority = 150
        config.globalLines = [
            "notification_email {", "    ops@example.com", "}",
            "notification_email_from fulcrum@lb-node1.example.com",
            "smtp_server \(VRRPLab.clientAddress) 2525",
            "smtp_connect_timeout 5",
        ]
        config.extraInstanceLines = ["smtp_alert"]
        // The server may need a moment to listen; the first mail goes at MASTER.
        sleepSeconds(1)
        let node = try FulcrumVRRPNode(lab: lab, node: 1, config: config)
        try node.waitForState("MASTER", timeout: 10)
        XCTAssertTrue(waitUntil(timeout: 10) { (FileBytes.readText(received) ?? "").contains("Entering MASTER state") },
                      "no mail: \(FileBytes.readText(received) ?? "") \(node.logTail())")
        let mail = FileBytes.readText(received) ?? ""
        XCTAssertTrue(mail.contains("MAIL fulcrum@lb-node1.example.com\nRCPT ops@example.com\nDATA\n"), mail)
        XCTAssertTrue(mail.contains("Subject: [lb-node1] VRRP Instance VI_1 - Entering MASTER state"), mail)
        XCTAssertTrue(mail.contains("=> VRRP Instance is now owning VRRP VIPs <="), mail)
        // One mail per state change, never two for the same state.
        sleepSeconds(1)
        XCTAssertEqual((FileBytes.readText(received) ?? "").components(separatedBy: "Entering MASTER state").count - 1, 1, mail)
    }
}
