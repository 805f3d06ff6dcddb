import XCTest
@testable import FulcrumConfig

/// `tune.recv_enough` (kept for the workers) and `tune.idle-pool.shared`
/// (per-worker pools: `on` says so, `off` is what Fulcrum does).
final class GlobalReadTuningTests: XCTestCase {
    func testRecvEnough() {
        let r = parse("global\n  tune.recv_enough 4096\n" + tcpDefaults)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.global.recvEnough, 4096)
        XCTAssertEqual(parse("global\n  tune.recv_enough x\n").alerts.map(\.message), ["'tune.recv_enough' expects an integer argument."])
    }

    func testIdlePoolShared() {
        let on = parse("global\n  tune.idle-pool.shared on\n" + tcpDefaults)
        XCTAssertEqual(on.alerts, [])
        XCTAssertEqual(on.diagnostics.filter { $0.severity == .notice }.count, 1)
        XCTAssertEqual(parse("global\n  tune.idle-pool.shared off\n" + tcpDefaults).diagnostics, [])
        XCTAssertEqual(parse("global\n  tune.idle-pool.shared maybe\n").alerts.map(\.message),
                       ["'tune.idle-pool.shared' expects either 'on' or 'off' but got 'maybe'."])
    }
}
