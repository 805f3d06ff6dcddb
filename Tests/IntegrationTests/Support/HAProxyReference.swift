import XCTest

/// The real HAProxy (when installed) run on the same configuration text as
/// Fulcrum, so a test can hold Fulcrum's answers against HAProxy's own
/// instead of against what the test author believes HAProxy does.
final class HAProxyReference {
    private let child: ChildProcess
    let directory: TemporaryDirectory

    /// Starts `haproxy -db -f CONFIG` and waits until `port` is listening.
    init(executable: String, config: String, port: UInt16, timeout: Double = 10) throws {
        directory = try TemporaryDirectory(prefix: "haref")
        let file = try directory.write("haproxy.cfg", config)
        child = try ChildProcess(executable: executable, arguments: ["-db", "-f", file],
                                 environment: Tools.currentEnvironment(),
                                 stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
        let ok = waitUntil(timeout: timeout) { !ListeningSockets.inodes(port: port).isEmpty || !child.isRunning }
        guard ok, child.isRunning else {
            let stderr = FileBytes.readText(directory.file("stderr")) ?? ""
            stop()
            throw HarnessError.failed("haproxy did not listen on \(port): \(stderr)")
        }
    }

    /// The haproxy process (its threads are all in it).
    var pid: pid_t { child.pid }

    func stop() {
        child.terminateTree(grace: 2)
        directory.remove()
    }
}

extension XCTestCase {
    /// Starts HAProxy on `config`, stopped when the test ends; skips the test
    /// when HAProxy is not installed.
    func startHAProxyReference(config: String, port: UInt16) throws -> HAProxyReference {
        let path = try requireTool("haproxy")
        let reference = try HAProxyReference(executable: path, config: config, port: port)
        addTeardownBlock { reference.stop() }
        return reference
    }

    /// Starts an `HTTPTestServer` that is stopped when the test ends.
    func startHTTPServer(name: String, sendsContinue: Bool = true,
                         handler: HTTPTestServer.Handler? = nil) throws -> HTTPTestServer {
        let server = try HTTPTestServer(name: name, sendsContinue: sendsContinue, handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }
}
