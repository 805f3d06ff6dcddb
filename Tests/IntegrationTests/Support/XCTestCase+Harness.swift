import XCTest

/// Starting things from a test so they are always cleaned up: each helper
/// registers a teardown block, and a failed test gets the daemon's stderr
/// attached to its log.
extension XCTestCase {
    /// Starts fulcrum (see `FulcrumProcess.init`) and stops it, with its whole
    /// process tree, when the test ends.
    func startFulcrum(config: String, arguments: [String] = FulcrumProcess.defaultArguments,
                      environment: [String: String] = [:], executable: String? = nil) throws -> FulcrumProcess {
        let process = try FulcrumProcess(config: config, arguments: arguments,
                                         environment: environment, executable: executable)
        addTeardownBlock { [weak self] in
            let descendants = process.isRunning ? process.descendantPids() : []
            let status = process.stop()
            let leftovers = descendants.filter(ProcessTree.isAlive)
            if let run = self?.testRun, run.totalFailureCount > 0 {
                print("---- fulcrum \(process.arguments.joined(separator: " ")) \(status); stderr tail:\n"
                      + process.stderrTail(lines: 80) + "\n----")
            }
            XCTAssertEqual(leftovers, [], "processes left behind by fulcrum pid \(process.pid)")
            process.stopAndRemoveFiles()
        }
        return process
    }

    /// Starts a `TestBackend` that is stopped when the test ends.
    func startBackend(_ mode: TestBackend.Mode, port: UInt16 = 0, acceptDelay: Double = 0,
                      responseDelay: Double = 0) throws -> TestBackend {
        let backend = try TestBackend(mode, port: port, acceptDelay: acceptDelay, responseDelay: responseDelay)
        addTeardownBlock { backend.stop() }
        return backend
    }
}
