import XCTest
import FulcrumConfig
@testable import FulcrumDaemon

/// keepalived's process matching (name, argv[0], parameters) and quorum with
/// fork/terminate delays, on values.
final class VRRPProcessTrackingTests: XCTestCase {
    private func process(_ configure: (inout VRRPTrackedProcess) -> Void) -> VRRPTrackedProcess {
        var p = VRRPTrackedProcess(name: "app", location: SourceLocation(file: "k.conf", line: 1, column: 1))
        p.process = "nginx"
        configure(&p)
        return p
    }

    func testMatchingByNameArgvAndParameters() {
        let master = RunningProcess(name: "nginx", arguments: ["/usr/sbin/nginx", "-g", "daemon off;"])
        let worker = RunningProcess(name: "nginx", arguments: ["nginx:", "worker", "process"])
        let other = RunningProcess(name: "bash", arguments: ["bash"])
        XCTAssertEqual(VRRPProcessMatch.count(process { _ in }, in: [master, worker, other]), 2)
        XCTAssertEqual(VRRPProcessMatch.count(process { $0.process = "/usr/sbin/nginx"; $0.fullCommand = true },
                                              in: [master, worker, other]), 1)
        XCTAssertEqual(VRRPProcessMatch.count(process { $0.parameters = ["-g", "daemon off;"] }, in: [master, worker]), 1)
        XCTAssertEqual(VRRPProcessMatch.count(process { $0.parameters = ["-g"] }, in: [master]), 0, "exact by default")
        XCTAssertEqual(VRRPProcessMatch.count(process { $0.parameters = ["-g"]; $0.parameterMatch = .initial }, in: [master]), 1)
        XCTAssertEqual(VRRPProcessMatch.count(process { $0.parameters = ["process"]; $0.parameterMatch = .partial },
                                              in: [master, worker]), 1)
        let long = RunningProcess(name: "averyveryverylo", arguments: [])
        XCTAssertEqual(VRRPProcessMatch.count(process { $0.process = "averyveryverylongname" }, in: [long]), 1,
                       "the kernel keeps 15 bytes of a name")
    }

    func testQuorumAndDelays() {
        var t = VRRPProcessTracker(process { $0.quorum = 2; $0.quorumMax = 3; $0.forkDelay = 2; $0.terminateDelay = 1 }, count: 0)
        XCTAssertFalse(t.up)
        XCTAssertFalse(t.observe(count: 2, now: 1000), "gained, but fork_delay runs")
        XCTAssertEqual(t.pendingDeadline, 3000)
        XCTAssertFalse(t.observe(count: 2, now: 2500))
        XCTAssertTrue(t.observe(count: 3, now: 3000))
        XCTAssertTrue(t.up)
        XCTAssertFalse(t.observe(count: 4, now: 3100), "above quorum_max: lost after terminate_delay")
        XCTAssertFalse(t.observe(count: 3, now: 3200), "back in range: nothing pending")
        XCTAssertNil(t.pendingDeadline)
        XCTAssertFalse(t.observe(count: 1, now: 4000))
        XCTAssertTrue(t.observe(count: 1, now: 5000))
        XCTAssertFalse(t.up)
        XCTAssertTrue(VRRPProcessTracker(process { _ in }, count: 1).up, "counted at start, without delay")
    }
}
