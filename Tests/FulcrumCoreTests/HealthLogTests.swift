import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// Log lines copied from haproxy 2.6.12 runs on this machine (log stdout
/// format raw), rebuilt from the same inputs.
final class HealthLogTests: XCTestCase {
    private func down(_ b: String, _ s: String, _ r: CheckResult?, reason: String? = nil, backup: Bool = false,
                      active: Int, bk: Int, sessions: Int = 0) -> String {
        HealthLog.stateChange(backend: b, server: s, backup: backup, to: .down, result: r, reason: reason,
                              activeLeft: active, backupLeft: bk, sessionsActive: sessions, requeued: 0, queued: 0)
    }

    private func up(_ b: String, _ s: String, _ r: CheckResult?, reason: String? = nil, backup: Bool = false,
                    active: Int, bk: Int) -> String {
        HealthLog.stateChange(backend: b, server: s, backup: backup, to: .up, result: r, reason: reason,
                              activeLeft: active, backupLeft: bk, sessionsActive: 0, requeued: 0, queued: 0)
    }

    func testDownByChecks() {
        XCTAssertEqual(down("be_app", "s2", CheckResult(status: .l4connect, info: "Connection refused", durationMs: 0), active: 6, bk: 0),
                       "Server be_app/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 6 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(down("be_app", "s1", CheckResult(status: .l7status, code: 500, info: "Internal Server Error", durationMs: 0), active: 3, bk: 1),
                       "Server be_app/s1 is DOWN, reason: Layer7 wrong status, code: 500, info: \"Internal Server Error\", check duration: 0ms. 3 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(down("be_app", "s4", CheckResult(status: .l7response, durationMs: 0), active: 5, bk: 0),
                       "Server be_app/s4 is DOWN, reason: Layer7 invalid response, check duration: 0ms. 5 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(down("be_app", "s6", CheckResult(status: .l7timeout, durationMs: 1001), active: 3, bk: 0),
                       "Server be_app/s6 is DOWN, reason: Layer7 timeout, check duration: 1001ms. 3 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(down("be_tcpf", "tf", CheckResult(status: .l7response, info: "TCPCHK did not match content 'FOO' at step 2", durationMs: 50), active: 0, bk: 0),
                       "Server be_tcpf/tf is DOWN, reason: Layer7 invalid response, info: \"TCPCHK did not match content 'FOO' at step 2\", check duration: 50ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(down("be_tcpt", "tt", CheckResult(status: .l7timeout, info: " at step 1 of tcp-check (expect string 'hello')", durationMs: 1002), active: 0, bk: 0),
                       "Server be_tcpt/tt is DOWN, reason: Layer7 timeout, info: \" at step 1 of tcp-check (expect string 'hello')\", check duration: 1002ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
    }

    func testRunningOnBackup() {
        XCTAssertEqual(down("be_tcp", "t1", CheckResult(status: .l4connect, info: "Connection refused", durationMs: 0), active: 0, bk: 1),
                       "Server be_tcp/t1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.")
    }

    func testUpByChecks() {
        XCTAssertEqual(up("be_app", "u1", CheckResult(status: .l7ok, code: 200, durationMs: 0), active: 3, bk: 1),
                       "Server be_app/u1 is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 3 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(up("fe2", "p1", CheckResult(status: .l4ok, durationMs: 0), active: 2, bk: 0),
                       "Server fe2/p1 is UP, reason: Layer4 check passed, check duration: 0ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")
    }

    func testObservedErrorsVerdict() {
        var o = ErrorObserver(mode: .layer4, errorLimit: 2)
        _ = o.observe(.l4Failed)
        let verdict = o.observe(.l4Failed)
        XCTAssertEqual(down("fe1", "o1", verdict, active: 2, bk: 0, sessions: 1),
                       "Server fe1/o1 is DOWN, reason: Health analyze, info: \"Detected 2 consecutive errors, last one was: L4 unsuccessful connection\". 2 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.")
    }

    func testChangedFromCLI() {
        XCTAssertEqual(down("fe2", "p1", nil, reason: "changed from CLI", active: 1, bk: 0),
                       "Server fe2/p1 is DOWN, changed from CLI. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(down("be_app", "b1", nil, reason: "changed from CLI", backup: true, active: 3, bk: 0),
                       "Backup Server be_app/b1 is DOWN, changed from CLI. 3 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(up("be_app", "b1", nil, reason: "changed from CLI", backup: true, active: 3, bk: 1),
                       "Backup Server be_app/b1 is UP, changed from CLI. 3 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(HealthLog.stopping(backend: "be_app", server: "u1", result: nil, reason: "changed from CLI",
                                          activeLeft: 2, backupLeft: 1, requeued: 0, queued: 0),
                       "Server be_app/u1 is stopping, changed from CLI. 2 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.")
    }

    func testNoServerAvailable() {
        XCTAssertEqual(HealthLog.noServerAvailable(backend: "be_down"), "backend be_down has no server available!")
        XCTAssertEqual(HealthLog.noServerAvailable(backend: "fe1", kind: .listen), "proxy fe1 has no server available!")
    }

    /// The configuration decides the word: a `listen` is a "proxy".
    func testNoServerAvailableNamesTheSectionFromTheConfiguration() {
        let text = "listen web\n  bind :80\n  server s1 127.0.0.1:81\nbackend app\n  server s2 127.0.0.1:82\n"
        let c = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:]).configuration
        XCTAssertEqual(HealthLog.noServerAvailable(backend: "web", in: c), "proxy web has no server available!")
        XCTAssertEqual(HealthLog.noServerAvailable(backend: "app", in: c), "backend app has no server available!")
    }

    func testMaintenanceAndDrain() {
        XCTAssertEqual(HealthLog.enterMaintenance(backend: "be_app", server: "s3", wasDown: false, activeLeft: 2, backupLeft: 1,
                                                  sessionsActive: 0, requeued: 0, queued: 0),
                       "Server be_app/s3 is going DOWN for maintenance. 2 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(HealthLog.enterMaintenance(backend: "be_m", server: "bk", backup: true, wasDown: false, activeLeft: 2, backupLeft: 0,
                                                  sessionsActive: 0, requeued: 0, queued: 0),
                       "Backup Server be_m/bk is going DOWN for maintenance. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(HealthLog.enterMaintenance(backend: "be_m", server: "up", wasDown: false, activeLeft: 0, backupLeft: 1,
                                                  sessionsActive: 0, requeued: 0, queued: 0),
                       "Server be_m/up is going DOWN for maintenance. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(HealthLog.enterMaintenance(backend: "be_m", server: "dn", wasDown: true, activeLeft: 2, backupLeft: 1,
                                                  sessionsActive: 0, requeued: 0, queued: 0),
                       "Server be_m/dn was DOWN and now enters maintenance.")
        XCTAssertEqual(HealthLog.enterMaintenance(backend: "app", server: "s3", wasDown: false, cause: "No IP for server ",
                                                  activeLeft: 4, backupLeft: 0, sessionsActive: 0, requeued: 0, queued: 0),
                       "Server app/s3 is going DOWN for maintenance (No IP for server ). 4 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(HealthLog.leaveMaintenance(backend: "be_app", server: "s3", up: true),
                       "Server be_app/s3 is UP/READY (leaving forced maintenance).")
        XCTAssertEqual(HealthLog.leaveMaintenance(backend: "be_m", server: "bk", backup: true, up: true),
                       "Backup Server be_m/bk is UP/READY (leaving forced maintenance).")
        XCTAssertEqual(HealthLog.enterDrain(backend: "be_app", server: "s3", activeLeft: 2, backupLeft: 1, requeued: 0, queued: 0),
                       "Server be_app/s3 enters drain state. 2 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(HealthLog.enterDrain(backend: "be_m", server: "up", activeLeft: 0, backupLeft: 1, requeued: 0, queued: 0),
                       "Server be_m/up enters drain state. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(HealthLog.leaveDrain(backend: "be_app", server: "s3", up: true), "Server be_app/s3 is UP (leaving forced drain).")
        XCTAssertEqual(HealthLog.leaveDrain(backend: "be_m", server: "dn", up: false), "Server be_m/dn is DOWN (leaving forced drain).")
        XCTAssertEqual(HealthLog.remainsInDrain(backend: "be_m", server: "dn"), "Server be_m/dn remains in forced drain mode.")
    }

    func testInfoEncoding() {
        XCTAssertEqual(HealthLog.encodeInfo("a\"b<c>\r\n"), "a<22>b<3C>c<3E><0D><0A>")
        let long = String(repeating: "x", count: 200)
        XCTAssertEqual(HealthLog.encodeInfo(long).count, 127, "HAProxy keeps 127 bytes of info")
        XCTAssertEqual(down("b", "s", CheckResult(status: .l7status, code: 500, info: "Bad \"x\"", durationMs: 2), active: 0, bk: 0),
                       "Server b/s is DOWN, reason: Layer7 wrong status, code: 500, info: \"Bad <22>x<22>\", check duration: 2ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
    }

    /// `option log-health-checks`: haproxy 2.6.12 sent these (rise 1, fall 1)
    /// when the server's port closed and when it came back.
    func testCheckResultLines() {
        let refused = CheckResult(status: .l4connect, info: "Connection refused", durationMs: 0)
        XCTAssertEqual(HealthLog.checkResult(backend: "be", server: "s1", result: refused, healthBefore: 1, healthAfter: 0,
                                             rise: 1, fall: 1),
                       "Health check for server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 0/1 DOWN.")
        let passed = CheckResult(status: .l7ok, code: 200, durationMs: 1)
        XCTAssertEqual(HealthLog.checkResult(backend: "be", server: "s1", result: passed, healthBefore: 0, healthAfter: 1,
                                             rise: 1, fall: 1),
                       "Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: 1ms, status: 1/1 UP.")
        // rise 2 fall 3: one failure from full health keeps it UP, 2/3.
        XCTAssertEqual(HealthLog.checkResult(backend: "be", server: "s1", backup: true, result: refused, healthBefore: 4,
                                             healthAfter: 3, rise: 2, fall: 3),
                       "Health check for backup server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 2/3 UP.")
    }

    /// A check that leaves the counter where it was (passing at full health,
    /// failing at 0) logs nothing, as in HAProxy.
    func testCheckResultThatMovesNothingIsSilent() {
        XCTAssertNil(HealthLog.checkResult(backend: "be", server: "s1", result: CheckResult(status: .l7ok, code: 200, durationMs: 0),
                                           healthBefore: 2, healthAfter: 2, rise: 2, fall: 1))
        XCTAssertNil(HealthLog.checkResult(backend: "be", server: "s1", result: CheckResult(status: .l4connect, durationMs: 0),
                                           healthBefore: 0, healthAfter: 0, rise: 2, fall: 1))
    }
}
