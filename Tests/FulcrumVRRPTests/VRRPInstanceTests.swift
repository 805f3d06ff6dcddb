import FulcrumBytes
import XCTest
import FulcrumVRRP

final class VRRPInstanceTests: XCTestCase {
    let me = IPv4Address(10, 0, 0, 1)
    let lowerPeer = IPv4Address(10, 0, 0, 0)
    let higherPeer = IPv4Address(10, 0, 0, 2)
    let vips = [IPv4Address(10, 0, 0, 100)]

    func parameters(priority: UInt8 = 100, version: VRRPVersion = .v2, interval: UInt16 = 100,
                    state: VRRPInitialState = .backup, preempt: Bool = true, preemptDelay: Int64 = 0) -> VRRPInstanceParameters {
        VRRPInstanceParameters(vrid: 1, version: version, priority: priority, advertIntervalCentiseconds: interval,
                               initialState: state, preempt: preempt, preemptDelay: preemptDelay,
                               primaryAddress: me, virtualAddresses: vips)
    }

    /// Runs one input and returns its actions.
    func run(_ instance: inout VRRPInstance, _ input: (inout VRRPInstance, inout [VRRPAction]) -> Void) -> [VRRPAction] {
        var actions: [VRRPAction] = []
        input(&instance, &actions)
        return actions
    }

    func started(_ p: VRRPInstanceParameters, at now: Int64 = 0) -> VRRPInstance {
        var instance = VRRPInstance(p)
        _ = run(&instance) { $0.start(now: now, actions: &$1) }
        return instance
    }

    /// A started instance driven to MASTER by its down timer.
    func master(_ p: VRRPInstanceParameters) -> VRRPInstance {
        var instance = started(p)
        let deadline = instance.nextDeadline!
        _ = run(&instance) { $0.tick(now: deadline, actions: &$1) }
        XCTAssertEqual(instance.state, .master)
        return instance
    }

    // MARK: Timing

    func testTimersFollowTheRFCsWithKeepalivedArithmetic() {
        XCTAssertEqual(VRRPTiming.skewTime(version: .v2, priority: 100, masterAdvertIntervalCentiseconds: 300), 609_375)
        XCTAssertEqual(VRRPTiming.skewTime(version: .v3, priority: 100, masterAdvertIntervalCentiseconds: 100), 609_375)
        XCTAssertEqual(VRRPTiming.skewTime(version: .v3, priority: 100, masterAdvertIntervalCentiseconds: 300), 1_828_125)
        XCTAssertEqual(VRRPTiming.masterDownInterval(version: .v2, priority: 150, masterAdvertIntervalCentiseconds: 100),
                       3_000_000 + 414_062)
        XCTAssertEqual(VRRPTiming.masterDownInterval(version: .v3, priority: 200, masterAdvertIntervalCentiseconds: 10),
                       300_000 + 21_875)
        XCTAssertEqual(VRRPTiming.masterDownInterval(version: .v2, priority: 100, masterAdvertIntervalCentiseconds: 100,
                                                     downTimerAdverts: 5), 5_609_375)
    }

    func testEffectivePriorityClampsAndSparesTheOwner() {
        XCTAssertEqual(VRRPPriority.effective(base: 100, adjustment: -20), 80)
        XCTAssertEqual(VRRPPriority.effective(base: 100, adjustment: -200), 1)
        XCTAssertEqual(VRRPPriority.effective(base: 100, adjustment: 200), 254)
        XCTAssertEqual(VRRPPriority.effective(base: 255, adjustment: -50), 255)
    }

    func testParametersNormalizedAsKeepalived() {
        var p = parameters(state: .master, preempt: false, preemptDelay: 5 * second)
        p.authentication = .password(VRRPPassword("x"))
        XCTAssertTrue(p.normalized.preempt)
        XCTAssertEqual(p.normalized.preemptDelay, 0)
        p.version = .v3
        XCTAssertEqual(p.normalized.authentication, .none)
        XCTAssertTrue(parameters(priority: 255, preempt: false).normalized.preempt)
        XCTAssertEqual(parameters(preempt: false, preemptDelay: second).normalized.preemptDelay, 0)
    }

    // MARK: Start-up

    func testBackupStartWaitsMasterDownInterval() {
        var instance = VRRPInstance(parameters(priority: 150))
        let actions = run(&instance) { $0.start(now: 7, actions: &$1) }
        XCTAssertEqual(actions, [.removeVirtualAddresses, .notify(.backup)])
        XCTAssertEqual(instance.state, .backup)
        XCTAssertEqual(instance.nextDeadline, 7 + 3_414_062)
    }

    func testOwnerConfiguredMasterBecomesMasterAtOnce() {
        var instance = VRRPInstance(parameters(priority: 255, state: .master))
        let actions = run(&instance) { $0.start(now: 0, actions: &$1) }
        XCTAssertEqual(actions, [.removeVirtualAddresses, .sendAdvertisement(priority: 255), .addVirtualAddresses,
                                 .sendGratuitousARP(rounds: 5), .notify(.master)])
        XCTAssertEqual(instance.state, .master)
        XCTAssertEqual(instance.nextDeadline, second)
    }

    func testConfiguredMasterWaitsOneIntervalUnlessAnAdvertArrives() {
        // keepalived 2.2.7: one advert interval plus the skew of priority value 1.
        var alone = started(parameters(priority: 100, state: .master))
        XCTAssertEqual(alone.state, .backup)
        XCTAssertEqual(alone.nextDeadline, second + 3_906)
        let actions = run(&alone) { $0.tick(now: second + 3_906, actions: &$1) }
        XCTAssertEqual(actions.first, .sendAdvertisement(priority: 100))
        XCTAssertEqual(alone.state, .master)

        var answered = started(parameters(priority: 100, state: .master))
        _ = run(&answered) { $0.advertReceived(from: self.higherPeer, priority: 120, intervalCentiseconds: 100,
                                                now: 500 * millisecond, actions: &$1) }
        XCTAssertEqual(answered.nextDeadline, 500 * millisecond + 3_609_375)
        XCTAssertEqual(run(&answered) { $0.tick(now: second + 3_906, actions: &$1) }, [])
        XCTAssertEqual(answered.state, .backup)
    }

    func testStartWhileFaulted() {
        var instance = VRRPInstance(parameters())
        _ = run(&instance) { $0.setFault(true, now: 0, actions: &$1) }
        XCTAssertEqual(run(&instance) { $0.start(now: 0, actions: &$1) }, [.removeVirtualAddresses, .notify(.fault)])
        XCTAssertEqual(instance.state, .fault)
        XCTAssertNil(instance.nextDeadline)
    }

    func testResumeAsMasterKeepsTheAddresses() {
        var instance = VRRPInstance(parameters(priority: 150))
        let actions = run(&instance) { $0.resumeAsMaster(now: 0, actions: &$1) }
        XCTAssertEqual(actions, [.sendAdvertisement(priority: 150), .addVirtualAddresses, .sendGratuitousARP(rounds: 5)])
        XCTAssertFalse(actions.contains(.removeVirtualAddresses))
        XCTAssertEqual(instance.state, .master)
        XCTAssertEqual(instance.nextDeadline, second)
    }

    // MARK: BACKUP

    func testBackupBecomesMasterWhenTheDownTimerExpires() {
        var instance = started(parameters(priority: 150))
        XCTAssertEqual(run(&instance) { $0.tick(now: 3_414_061, actions: &$1) }, [])
        let actions = run(&instance) { $0.tick(now: 3_414_062, actions: &$1) }
        XCTAssertEqual(actions, [.sendAdvertisement(priority: 150), .addVirtualAddresses,
                                 .sendGratuitousARP(rounds: 5), .notify(.master)])
        XCTAssertEqual(instance.becameMasterCount, 1)
    }

    func testBackupPriorityZeroSetsSkewTime() {
        var instance = started(parameters(priority: 100))
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 0, intervalCentiseconds: 100,
                                                now: second, actions: &$1) }
        XCTAssertEqual(instance.nextDeadline, second + 609_375)
    }

    func testBackupEqualOrHigherAdvertRestartsTheDownTimer() {
        var instance = started(parameters(priority: 100))
        for (now, priority) in [(second, UInt8(100)), (2 * second, 200)] {
            _ = run(&instance) { $0.advertReceived(from: self.lowerPeer, priority: priority, intervalCentiseconds: 100,
                                                    now: now, actions: &$1) }
            XCTAssertEqual(instance.nextDeadline, now + 3_609_375)
        }
        XCTAssertEqual(instance.masterAddress, lowerPeer)
        XCTAssertEqual(instance.masterPriority, 200)
    }

    func testBackupIgnoresLowerPriorityWhenPreempting() {
        var instance = started(parameters(priority: 100))
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 50, intervalCentiseconds: 100,
                                                now: second, actions: &$1) }
        XCTAssertEqual(instance.nextDeadline, 3_609_375)
    }

    func testNopreemptAcceptsLowerPriority() {
        var instance = started(parameters(priority: 100, preempt: false))
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 50, intervalCentiseconds: 100,
                                                now: second, actions: &$1) }
        XCTAssertEqual(instance.nextDeadline, second + 3_609_375)
    }

    func testPreemptDelayAcceptsLowerPriorityUntilItRunsOut() {
        var instance = started(parameters(priority: 100, preemptDelay: 5 * second))
        for k in Int64(1)...5 {
            _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 50, intervalCentiseconds: 100,
                                                    now: k * second, actions: &$1) }
        }
        // Started at 1 s, runs out at 6 s: the advert at 5 s was still accepted.
        XCTAssertEqual(instance.nextDeadline, 5 * second + 3_609_375)
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 50, intervalCentiseconds: 100,
                                                now: 6 * second, actions: &$1) }
        XCTAssertEqual(instance.nextDeadline, 5 * second + 3_609_375)
    }

    func testPreemptDelayRestartsAfterAHigherAdvert() {
        var instance = started(parameters(priority: 100, preemptDelay: 5 * second))
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 50, intervalCentiseconds: 100,
                                                now: second, actions: &$1) }
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 150, intervalCentiseconds: 100,
                                                now: 2 * second, actions: &$1) }
        // The clock starts again at the next lower advert (3 s), so 6 s is still within the delay.
        for k in Int64(3)...7 {
            _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 50, intervalCentiseconds: 100,
                                                    now: k * second, actions: &$1) }
        }
        XCTAssertEqual(instance.nextDeadline, 7 * second + 3_609_375)
    }

    func testV3BackupLearnsTheMastersInterval() {
        var instance = started(parameters(priority: 100, version: .v3, interval: 100))
        _ = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: 200, intervalCentiseconds: 10,
                                                now: second, actions: &$1) }
        XCTAssertEqual(instance.masterAdvertIntervalCentiseconds, 10)
        XCTAssertEqual(instance.nextDeadline, second + 300_000 + 60_937)
        // v2 never learns.
        var v2 = started(parameters(priority: 100))
        _ = run(&v2) { $0.advertReceived(from: self.higherPeer, priority: 200, intervalCentiseconds: 300,
                                          now: second, actions: &$1) }
        XCTAssertEqual(v2.masterAdvertIntervalCentiseconds, 100)
    }

    func testPriorityChangeMovesTheBackupDeadline() {
        var instance = started(parameters(priority: 100))
        instance.setPriorityAdjustment(50)
        XCTAssertEqual(instance.effectivePriority, 150)
        XCTAssertEqual(instance.nextDeadline, 3_414_062)
        instance.setPriorityAdjustment(-500)
        XCTAssertEqual(instance.effectivePriority, 1)
    }

    // MARK: MASTER

    func testMasterAdvertisesEveryInterval() {
        var instance = master(parameters(priority: 150))
        let t = instance.nextDeadline!
        XCTAssertEqual(run(&instance) { $0.tick(now: t, actions: &$1) }, [.sendAdvertisement(priority: 150)])
        XCTAssertEqual(instance.nextDeadline, t + second)
    }

    func testMasterReadvertisesOnLowerPriorityAndPriorityZero() {
        var instance = master(parameters(priority: 150))
        let now = instance.nextDeadline! - 100
        for priority in [UInt8(100), 0] {
            let actions = run(&instance) { $0.advertReceived(from: self.higherPeer, priority: priority,
                                                              intervalCentiseconds: 100, now: now, actions: &$1) }
            XCTAssertEqual(actions, [.sendAdvertisement(priority: 150)], "priority \(priority)")
            XCTAssertEqual(instance.nextDeadline, now + second)
            XCTAssertEqual(instance.state, .master)
        }
    }

    func testMasterYieldsToHigherPriority() {
        var instance = master(parameters(priority: 150, version: .v3))
        let actions = run(&instance) { $0.advertReceived(from: self.lowerPeer, priority: 200, intervalCentiseconds: 50,
                                                          now: 10 * second, actions: &$1) }
        XCTAssertEqual(actions, [.removeVirtualAddresses, .notify(.backup)])
        XCTAssertEqual(instance.state, .backup)
        XCTAssertEqual(instance.masterAdvertIntervalCentiseconds, 50)
        XCTAssertEqual(instance.nextDeadline, 10 * second + 1_500_000 + 207_031)
        XCTAssertEqual(instance.releasedMasterCount, 1)
    }

    func testEqualPriorityHigherSourceAddressWins() {
        var lower = master(parameters(priority: 100))
        XCTAssertEqual(run(&lower) { $0.advertReceived(from: self.higherPeer, priority: 100, intervalCentiseconds: 100,
                                                        now: 5 * second, actions: &$1) },
                       [.removeVirtualAddresses, .notify(.backup)])
        var higher = master(parameters(priority: 100))
        XCTAssertEqual(run(&higher) { $0.advertReceived(from: self.lowerPeer, priority: 100, intervalCentiseconds: 100,
                                                         now: 5 * second, actions: &$1) },
                       [.sendAdvertisement(priority: 100)])
        XCTAssertEqual(higher.state, .master)
    }

    func testTwoOwnersMakeTheLocalOneStepDown() {
        var instance = VRRPInstance(parameters(priority: 255, state: .master))
        _ = run(&instance) { $0.start(now: 0, actions: &$1) }
        let actions = run(&instance) { $0.advertReceived(from: self.lowerPeer, priority: 255, intervalCentiseconds: 100,
                                                          now: second / 2, actions: &$1) }
        XCTAssertEqual(instance.effectivePriority, 254)
        XCTAssertEqual(actions, [.removeVirtualAddresses, .notify(.backup)])
    }

    func testGratuitousARPSecondBurstAndRefresh() {
        var p = parameters(priority: 150)
        p.garpMasterDelay = 5 * second
        p.garpMasterRepeat = 3
        p.garpMasterRefresh = 60 * second
        p.garpMasterRefreshRepeat = 2
        var instance = master(p)
        let became = Int64(3_414_062)
        var garps: [(Int64, Int)] = []
        var now = became
        while now < became + 130 * second {
            now = instance.nextDeadline!
            for action in run(&instance, { $0.tick(now: now, actions: &$1) }) {
                if case .sendGratuitousARP(let rounds) = action { garps.append((now - became, rounds)) }
            }
        }
        XCTAssertEqual(garps.map { $0.0 }, [5 * second, 60 * second, 120 * second])
        XCTAssertEqual(garps.map { $0.1 }, [3, 2, 2])
    }

    func testNoSecondBurstAfterLeavingMaster() {
        var instance = master(parameters(priority: 150))
        _ = run(&instance) { $0.advertReceived(from: self.lowerPeer, priority: 200, intervalCentiseconds: 100,
                                                now: 4 * second, actions: &$1) }
        _ = run(&instance) { $0.advertReceived(from: self.lowerPeer, priority: 200, intervalCentiseconds: 100,
                                                now: 7 * second, actions: &$1) }
        // The burst was due 5 s after becoming MASTER (8.41 s); the instance is BACKUP by then.
        XCTAssertEqual(instance.nextDeadline, 7 * second + 3_414_062)
        XCTAssertEqual(run(&instance) { $0.tick(now: 8_500 * millisecond, actions: &$1) }, [])
    }

    // MARK: FAULT and shutdown

    func testMasterFaultSendsPriorityZeroAndRemovesAddresses() {
        var instance = master(parameters(priority: 150))
        let actions = run(&instance) { $0.setFault(true, now: 10 * second, actions: &$1) }
        XCTAssertEqual(actions, [.sendAdvertisement(priority: 0), .removeVirtualAddresses, .notify(.fault)])
        XCTAssertNil(instance.nextDeadline)
        // Adverts are ignored in FAULT.
        XCTAssertEqual(run(&instance) { $0.advertReceived(from: self.lowerPeer, priority: 10, intervalCentiseconds: 100,
                                                           now: 11 * second, actions: &$1) }, [])
        XCTAssertEqual(instance.state, .fault)
        // Leaving FAULT: BACKUP with a full Master_Down_Interval.
        XCTAssertEqual(run(&instance) { $0.setFault(false, now: 20 * second, actions: &$1) }, [.notify(.backup)])
        XCTAssertEqual(instance.nextDeadline, 20 * second + 3_414_062)
    }

    func testBackupFault() {
        var instance = started(parameters())
        XCTAssertEqual(run(&instance) { $0.setFault(true, now: second, actions: &$1) }, [.notify(.fault)])
        XCTAssertEqual(run(&instance) { $0.setFault(true, now: second, actions: &$1) }, [])
    }

    func testShutdown() {
        var instance = master(parameters(priority: 150))
        XCTAssertEqual(run(&instance) { $0.shutdown(now: 10 * second, actions: &$1) },
                       [.sendAdvertisement(priority: 0), .removeVirtualAddresses, .notify(.stop)])
        XCTAssertEqual(instance.state, .stop)
        XCTAssertNil(instance.nextDeadline)
        var backup = started(parameters())
        XCTAssertEqual(run(&backup) { $0.shutdown(now: second, actions: &$1) }, [.notify(.stop)])
    }

    func testAdvertisementAndReceiveRulesDescribeTheInstance() throws {
        var p = parameters(priority: 150)
        p.authentication = .password(VRRPPassword("pw"))
        let instance = VRRPInstance(p)
        let advert = instance.advertisement(priority: 150)
        let packet = ipv4Packet(encoded(advert, source: me), source: me)
        let received = try decodeResult(packet, instance.receiveRules).get()
        XCTAssertEqual(received.advertisement, advert)
    }
}
