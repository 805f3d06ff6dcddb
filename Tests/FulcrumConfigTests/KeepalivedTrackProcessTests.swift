import XCTest
@testable import FulcrumConfig

/// `vrrp_track_process` blocks and `track_process` references as keepalived 2.2 reads them.
final class KeepalivedTrackProcessTests: XCTestCase {
    func testBlockAndReference() {
        let result = parse("""
            vrrp_track_process web {
                process nginx
                parameters -g "daemon off;"
                param_match partial
                weight 20 reverse
                quorum 2
                quorum_max 4
                delay 3
                full_command
            }
            """ + keepalivedInstance("    track_process {\n        web weight -10\n    }"))
        XCTAssertEqual(result.alerts, [])
        let p = result.configuration.vrrp.trackedProcesses.first
        XCTAssertEqual(p?.process, "nginx")
        XCTAssertEqual(p?.parameters, ["-g", "daemon off;"])
        XCTAssertEqual(p?.parameterMatch, .partial)
        XCTAssertEqual(p?.weight, 20)
        XCTAssertEqual(p?.weightReverse, true)
        XCTAssertEqual([p?.quorum, p?.quorumMax, p?.forkDelay, p?.terminateDelay], [2, 4, 3, 3])
        XCTAssertEqual(p?.fullCommand, true)
        XCTAssertEqual(result.configuration.vrrp.instances.first?.trackProcesses.map(\.name), ["web"])
        XCTAssertEqual(result.configuration.vrrp.instances.first?.trackProcesses.first?.weight, -10)
    }

    func testMistakesAreRefusedAtTheirWord() {
        let unknown = parse(keepalivedInstance("    track_process {\n        wbe\n    }")
                            + "vrrp_track_process web {\n    process nginx\n}\n")
        XCTAssertEqual(unknown.alerts.map(\.message), ["(VI_1) track_process wbe not found (no vrrp_track_process with that name); did you mean 'web'?"])
        let noProcess = parse("vrrp_track_process web {\n    quorum 1\n}\n")
        XCTAssertEqual(noProcess.alerts.map(\.message), ["(web) vrrp_track_process has no 'process'"])
        let badMatch = parse("vrrp_track_process web {\n    process nginx\n    param_match some\n}\n")
        XCTAssertEqual(badMatch.alerts.first?.location?.line, 3)
    }
}
