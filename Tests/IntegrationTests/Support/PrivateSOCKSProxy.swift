import Glibc
import XCTest

/// A private Dante (Debian's dante-server, `danted`) on 127.0.0.1 and a port
/// the test chose, speaking SOCKS4 (and 5) without authentication. It
/// connects out from 127.0.0.2, so a server sees that a connection came
/// through it, passes CONNECTs to 127.0.0.1 on the `allowed` ports only and
/// refuses every other one (SOCKS4 code 91), logging each decision.
final class PrivateSOCKSProxy {
    let port: UInt16
    let directory: TemporaryDirectory
    private let process: ChildProcess

    init(_ test: XCTestCase, allowed: [UInt16]) throws {
        let danted = try requireTool("/usr/sbin/danted")
        directory = try TemporaryDirectory(prefix: "socks")
        port = try FreePort.next()
        let passes = allowed.map {
            "socks pass {\n  from: 127.0.0.0/8 to: 127.0.0.1/32 port = \($0)\n  command: connect\n  log: connect error\n}\n"
        }.joined()
        _ = try directory.write("danted.conf", """
            logoutput: \(directory.file("log"))
            internal: 127.0.0.1 port = \(port)
            external: 127.0.0.2
            clientmethod: none
            socksmethod: none
            user.privileged: root
            user.unprivileged: nobody
            client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
            \(passes)socks block {
              from: 0.0.0.0/0 to: 0.0.0.0/0
              log: connect error
            }

            """)
        process = try ChildProcess(executable: danted, arguments: ["-f", directory.file("danted.conf"), "-p", directory.file("pid"), "-N", "1"],
                                   environment: [:], stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
        let process = self.process, directory = self.directory, port = self.port
        test.addTeardownBlock { process.terminateTree(grace: 2); directory.remove() }
        guard waitUntil(timeout: 5, { LoopbackProbe.accepts(port: port) }) else {
            throw HarnessError.failed("danted did not start: \(log) \((try? String(contentsOfFile: directory.file("stderr"), encoding: .utf8)) ?? "")")
        }
    }

    var log: String { (try? String(contentsOfFile: directory.file("log"), encoding: .utf8)) ?? "" }

    /// Lines of Dante's log for CONNECTs it passed to 127.0.0.1:`port`.
    func passedConnects(to port: UInt16) -> Int {
        log.split(separator: "\n").filter { $0.contains("pass(") && $0.hasSuffix("127.0.0.1.\(port)") }.count
    }

    /// Lines of Dante's log for CONNECTs it refused to 127.0.0.1:`port`.
    func blockedConnects(to port: UInt16) -> Int {
        log.split(separator: "\n").filter { $0.contains("block(") && $0.contains("127.0.0.1.\(port)") }.count
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port` now.
enum LoopbackProbe {
    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
