import XCTest
import Foundation

/// The README's first command runs configs/quickstart.cfg: an HTTP frontend
/// on 127.0.0.1:8080 balancing between two `listen` sections of the same
/// daemon that answer with `http-request return`, so curl shows round robin.
final class QuickstartTests: XCTestCase {
    func testQuickstartShowsRoundRobinBetweenItsTwoApplications() throws {
        let curl = try requireTool("curl")
        for port: UInt16 in [8080, 8081, 8082] where !ListeningSockets.inodes(port: port).isEmpty {
            throw XCTSkip("port \(port) is in use on this machine; the quick start needs 8080, 8081 and 8082")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let cfg = root.appendingPathComponent("configs/quickstart.cfg").path
        let text = try String(contentsOfFile: cfg, encoding: .utf8)
        let check = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", cfg])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertFalse(check.output.contains("WARNING"), "the quick start checks clean: \(check.output)")
        let p = try startFulcrum(config: text, arguments: ["-d", "-f", cfg])
        try p.waitUntilListening(port: 8080, sockets: 1)
        try p.waitUntilListening(port: 8082, sockets: 1)
        var answers: [String] = []
        for _ in 0..<4 {
            let r = try CommandRunner.run(curl, ["-s", "--max-time", "3", "http://127.0.0.1:8080/"])
            XCTAssertEqual(r.status, 0, r.output)
            answers.append(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        XCTAssertEqual(answers, ["Hello from app1, through Fulcrum.", "Hello from app2, through Fulcrum.",
                                 "Hello from app1, through Fulcrum.", "Hello from app2, through Fulcrum."])
        try p.signal(SIGTERM)
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
    }
}
