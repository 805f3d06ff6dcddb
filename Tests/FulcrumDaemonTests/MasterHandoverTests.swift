import XCTest
import Foundation
@testable import FulcrumDaemon

/// The state a master hands to its re-executed self must come back exactly,
/// and anything else must be refused with the line that is wrong.
final class MasterHandoverTests: XCTestCase {
    private func sample() -> MasterHandover {
        var h = MasterHandover()
        h.reloads = 7
        h.failedReloads = 2
        h.nextGeneration = 6
        h.startedWall = 1_795_000_000
        h.lastReloadError = "[ALERT] a.cfg:3:5: unknown keyword 'balanse'\nsecond line = with spaces"
        h.reloadPending = true
        h.listeners = [.init(key: "127.0.0.1:8080", fds: [7, 8], inherited: false), .init(key: "fd@3", fds: [3], inherited: true)]
        h.cli = [.init(path: "/run/fulcrum master.sock", fd: 9, isMasterCLI: true, level: 2, idleTimeout: 10_000),
                 .init(path: "ipv4@127.0.0.1:9999", fd: 19, isMasterCLI: false, level: 1, idleTimeout: 5_000,
                       exposesListeners: true)]
        h.waiting = [.init(server: 0, fd: 14, answers: ["show proc output\n", nil, ""], reloadIndexes: [1])]
        h.generations = [
            .init(number: 4, draining: true, slots: 2, table: 10, config: 11, startedAt: 123_456, startedWall: 1_795_000_100,
                  drainStarted: 130_000, reloadsSurvived: 1, carriedTotals: ["be/s1 stot": 42, "fe req_tot": 7],
                  failures: [0, 3, 0], perSlot: [[.init(fd: 7, frontend: 0, bind: 0), .init(fd: 8, frontend: 0, bind: 0, ownerSlot: 1)],
                                                 [.init(fd: 8, frontend: 0, bind: 0), .init(fd: 7, frontend: 0, bind: 0, ownerSlot: 0)]],
                  children: [.init(index: 1, pid: 4242, control: 12, startedAt: 123_460, startedWall: 1_795_000_101, ready: true)]),
            .init(number: 5, draining: false, slots: 1, table: 13, config: 15, startedAt: 140_000, startedWall: 1_795_000_200,
                  drainStarted: 0, reloadsSurvived: 0, carriedTotals: nil, failures: [0],
                  perSlot: [[.init(fd: 7, frontend: 0, bind: 0), .init(fd: 8, frontend: 0, bind: 0), .init(fd: 3, frontend: 1, bind: 2)]],
                  children: [.init(index: 0, pid: 4300, control: 16, startedAt: 140_001, startedWall: 1_795_000_201, ready: false)],
                  tlsSessions: 18,
                  certificateCommits: ["cert end /etc/ssl/a b.pem\n-----BEGIN CERTIFICATE-----\nMIIB\n", "crtlist del 2 /etc/l st"],
                  patternChanges: ["add map /etc/h.map a b", "add map /etc/h.map\nk v\nk2 v 2"]),
        ]
        h.generations[1].peersWake = 20
        h.programs = [.init(pid: 999, name: "sidecar app")]
        h.vrrp = .init(pid: 1001, control: 17, startedAt: 150_000, startedWall: 1_795_000_300)
        h.vrrpStates = ["VI_1": "MASTER", "VI 2": "BACKUP"]
        return h
    }

    func testRoundTrip() throws {
        let h = sample()
        XCTAssertEqual(try MasterHandover.decode(h.encode()), h)
        XCTAssertEqual(try MasterHandover.decode(MasterHandover().encode()), MasterHandover())
    }

    func testDescriptorsNameEverythingThatMustSurviveExec() {
        XCTAssertEqual(Set(sample().descriptors), [7, 8, 3, 9, 19, 14, 10, 11, 12, 13, 15, 16, 17, 18, 20])
    }

    /// `expose=1` is optional: a record an older image wrote has none and
    /// means no `expose-fd listeners`.
    func testExposeFieldIsOptional() throws {
        let old = MasterHandover.format + "\ncli path=\(Hex.encode("/s")) fd=9 master=0 level=1 idle=10\n"
        XCTAssertEqual(try MasterHandover.decode(old).cli.first?.exposesListeners, false)
    }

    func testUnknownFormatAndBadLinesAreRefused() {
        XCTAssertThrowsError(try MasterHandover.decode("fulcrum-handover 99\n")) { e in
            XCTAssertEqual(e as? MasterHandover.DecodeError, .format("fulcrum-handover 99"))
        }
        let text = sample().encode().replacingOccurrences(of: "pid=4242", with: "pid=x")
        XCTAssertThrowsError(try MasterHandover.decode(text)) { e in
            guard case .line(_, let why)? = e as? MasterHandover.DecodeError else { return XCTFail("\(e)") }
            XCTAssertEqual(why, "pid is not a number")
        }
        XCTAssertThrowsError(try MasterHandover.decode(MasterHandover.format + "\nchild index=0 pid=1 control=3 started=0 wall=0 ready=1\n"))
    }
}
