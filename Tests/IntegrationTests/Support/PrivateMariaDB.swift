import Foundation
import Glibc
import XCTest

/// A private MariaDB server (Debian's mariadb-server) on 127.0.0.1 and a
/// port the test chose, with its own data directory, for database health
/// checks against the real thing. `users` are created without a password,
/// for connections from 127.0.0.1.
final class PrivateMariaDB {
    let port: UInt16
    private let directory: TemporaryDirectory
    private var process: ChildProcess?

    init(_ test: XCTestCase, users: [String]) throws {
        let server = try requireTool("mariadbd")
        let install = try requireTool("mariadb-install-db")
        let client = try requireTool("mariadb")
        directory = try TemporaryDirectory(prefix: "mariadb")
        port = try FreePort.next()
        let data = directory.file("data"), socket = directory.file("sock")
        let made = try CommandRunner.run(install, ["--no-defaults", "--datadir=\(data)", "--user=\(NSUserName())",
                                                   "--auth-root-authentication-method=normal", "--skip-test-db"], timeout: 60)
        guard made.succeeded else { throw HarnessError.failed("mariadb-install-db: \(made.output.suffix(500))") }
        process = try ChildProcess(executable: server,
                                   arguments: ["--no-defaults", "--datadir=\(data)", "--user=\(NSUserName())",
                                               "--port=\(port)", "--bind-address=127.0.0.1", "--socket=\(socket)",
                                               "--skip-name-resolve", "--pid-file=\(directory.file("pid"))"],
                                   environment: ["PATH": "/usr/sbin:/usr/bin:/bin"], stdoutPath: directory.file("stdout"),
                                   stderrPath: directory.file("stderr"))
        let directory = self.directory
        test.addTeardownBlock { [self] in stop(); directory.remove() }
        guard waitUntil(timeout: 30, { LoopbackProbe.accepts(port: self.port) }) else {
            throw HarnessError.failed("mariadbd did not start: \(FileBytes.readText(directory.file("stderr"))?.suffix(500) ?? "")")
        }
        let statements = users.map { "CREATE USER '\($0)'@'127.0.0.1';" }.joined()
        let created = try CommandRunner.run(client, ["--no-defaults", "-S", socket, "-u", "root", "-e", statements])
        guard created.succeeded else { throw HarnessError.failed("mariadb: \(created.output)") }
    }

    /// Stops the server; its port refuses connections afterwards.
    func stop() {
        _ = process?.terminateTree(grace: 10)
        process = nil
    }
}
