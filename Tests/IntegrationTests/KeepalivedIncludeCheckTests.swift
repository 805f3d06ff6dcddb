import XCTest
import Glibc

/// keepalived `include` read by the real binary: a glob relative to the
/// including file (the test runs from the package directory), a pattern matching
/// nothing warned about in keepalived's words, an error in an included file
/// named at its own file and line.
final class KeepalivedIncludeCheckTests: XCTestCase {
    func testIncludeGlobsRelativeToTheIncludingFile() throws {
        let dir = try TemporaryDirectory(prefix: "kinclude")
        defer { dir.remove() }
        let instance = """
            vrrp_instance VI_2 {
                interface eth0
                virtual_router_id 52
                virtual_ipaddress {
                    192.168.1.11
                }
            }

            """
        XCTAssertEqual(mkdir(dir.file("conf.d"), 0o755), 0)
        try dir.write("conf.d/20-vi2.conf", instance)
        try dir.write("conf.d/10-script.conf", "vrrp_script chk {\n    script \"/bin/true\"\n}\n")
        let main = try dir.write("keepalived.conf", "global_defs {\n    router_id EDGE1\n}\ninclude conf.d/*.conf\ninclude nothere/*.conf\n")
        let ok = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", main])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.stderr.contains("keepalived.conf:5:1: Config files missing 'nothere/*.conf'."), ok.stderr)

        try dir.write("conf.d/30-bad.conf", instance.replacingOccurrences(of: "VI_2", with: "VI_3")
            .replacingOccurrences(of: "virtual_router_id 52", with: "virtual_router_id 300"))
        let bad = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", main])
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.stderr.contains("conf.d/30-bad.conf:3:"), bad.stderr)
    }
}
