import XCTest
import Foundation

/// net.ipv4.tcp_migrate_req: the master turns it on where the kernel lets it,
/// so connections queued on a listening socket that closes move to a sibling
/// SO_REUSEPORT socket. Checked in a network namespace of the test's own
/// (the sysctl is per namespace and starts at 0 there).
final class RequestMigrationTests: XCTestCase {
    func testMasterEnablesTCPMigrateReqInItsNamespace() throws {
        try requireRoot("creates a network namespace")
        let ip = try requireTool("ip")
        let namespace = "fulcrum-migrate-\(getpid())"
        XCTAssertTrue(try CommandRunner.run(ip, ["netns", "add", namespace]).succeeded)
        defer { _ = try? CommandRunner.run(ip, ["netns", "delete", namespace]) }
        XCTAssertTrue(try CommandRunner.run(ip, ["-n", namespace, "link", "set", "lo", "up"]).succeeded)
        func migrateReq() throws -> String {
            try CommandRunner.run(ip, ["netns", "exec", namespace, "cat", "/proc/sys/net/ipv4/tcp_migrate_req"])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let before = try migrateReq()
        guard !before.isEmpty else { throw XCTSkip("this kernel has no net.ipv4.tcp_migrate_req") }
        XCTAssertEqual(before, "0", "a new namespace starts with it off")

        let port = try FreePort.next()
        let config = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", 9)], workers: 2)
        // `ip netns exec` execs the daemon: the pid is the master's.
        let p = try startFulcrum(config: config, arguments: ["netns", "exec", namespace, try FulcrumBinary.path(),
                                                            "-d", "-f", "{config}"], executable: ip)
        XCTAssertTrue(waitUntil(timeout: 10) { p.stderrText.contains("Loading success") }, p.stderrTail())
        XCTAssertEqual(try migrateReq(), "1")
        XCTAssertTrue(p.stderrText.contains("Enabled net.ipv4.tcp_migrate_req"), p.stderrTail())
    }
}
