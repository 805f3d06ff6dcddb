import XCTest
import Foundation

/// The README's first command runs configs/quickstart.cfg from the repository
/// root: it must serve, through Fulcrum, the two web servers its `program`
/// sections start.
final class QuickstartTests: XCTestCase {
    func testQuickstartServesBothWebServersThroughFulcrum() throws {
        _ = try requireTool("python3")
        let curl = try requireTool("curl")
        for port: UInt16 in [8080, 9001, 9002] where !ListeningSockets.inodes(port: port).isEmpty {
            throw XCTSkip("port \(port) is in use on this machine; the quick start needs 8080, 9001 and 9002")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let cfg = root.appendingPathComponent("configs/quickstart.cfg").path
        let text = try String(contentsOfFile: cfg, encoding: .utf8)
        // Same file, started from the repository root as the README does.
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let p = try startFulcrum(config: text, arguments: ["-d", "-f", cfg])
        try p.waitUntilListening(port: 8080, sockets: 2)
        var seen: Set<String> = []
        XCTAssertTrue(waitUntil(timeout: 20, interval: 0.2) {
            let r = try? CommandRunner.run(curl, ["-s", "--max-time", "2", "http://127.0.0.1:8080/"])
            if let out = r?.stdout, r?.status == 0 { seen.insert(out.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return seen.count == 2
        }, "saw \(seen)\n\(p.stderrTail())")
        XCTAssertEqual(seen, ["Hello from web1, through Fulcrum.", "Hello from web2, through Fulcrum."])
        try p.signal(SIGTERM)
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.1) { ListeningSockets.inodes(port: 9001).isEmpty },
                      "the programs stop with the master")
    }
}
