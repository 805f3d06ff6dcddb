import FulcrumBytes
import XCTest
import FulcrumVRRP

/// A small simulated LAN: every advert an instance asks to send is encoded, wrapped in an IPv4
/// header, delivered to the other nodes after `latency`, decoded with the receiver's rules and
/// fed to its instance. Time only moves from one deadline or delivery to the next.
struct SimulatedLAN {
    struct Node {
        var instance: VRRPInstance
        var linkUp = true
        var holdsVIPs = false
        var transitions: [(time: Int64, state: VRRPState)] = []
        var deliveries: [Int64] = []
    }

    var nodes: [Node]
    var now: Int64 = 0
    let latency: Int64 = 200
    private var inFlight: [(time: Int64, to: Int, packet: [UInt8])] = []
    private var actions: [VRRPAction] = []
    private var buffer: [UInt8] = []

    init(_ parameters: [VRRPInstanceParameters]) {
        nodes = parameters.map { Node(instance: VRRPInstance($0)) }
    }

    mutating func input(_ index: Int, _ body: (inout VRRPInstance, Int64, inout [VRRPAction]) -> Void) {
        actions.removeAll(keepingCapacity: true)
        body(&nodes[index].instance, now, &actions)
        for action in actions { apply(action, from: index) }
    }

    mutating func startAll() {
        for index in nodes.indices { input(index) { $0.start(now: $1, actions: &$2) } }
    }

    private mutating func apply(_ action: VRRPAction, from index: Int) {
        switch action {
        case .sendAdvertisement(let priority):
            guard nodes[index].linkUp else { return }
            let instance = nodes[index].instance
            VRRPPacket.encode(instance.advertisement(priority: priority), source: instance.parameters.primaryAddress,
                              destination: .vrrpMulticast, into: &buffer)
            let packet = ipv4Packet(buffer, source: instance.parameters.primaryAddress)
            for other in nodes.indices where other != index { inFlight.append((now + latency, other, packet)) }
        case .addVirtualAddresses: nodes[index].holdsVIPs = true
        case .removeVirtualAddresses: nodes[index].holdsVIPs = false
        case .sendGratuitousARP: break
        case .notify(let state): nodes[index].transitions.append((now, state))
        }
    }

    /// Runs every event up to and including `end`.
    mutating func run(until end: Int64) {
        while true {
            var next = inFlight.map(\.time).min()
            for node in nodes { if let d = node.instance.nextDeadline, d < (next ?? .max) { next = d } }
            guard let time = next, time <= end else { break }
            now = time
            let due = inFlight.filter { $0.time <= now }
            inFlight.removeAll { $0.time <= now }
            for delivery in due where nodes[delivery.to].linkUp {
                let rules = nodes[delivery.to].instance.receiveRules
                guard case .success(let advert) = decodeResult(delivery.packet, rules) else {
                    XCTFail("dropped: \(decodeResult(delivery.packet, rules))")
                    continue
                }
                nodes[delivery.to].deliveries.append(now)
                input(delivery.to) { $0.receive(advert, now: $1, actions: &$2) }
            }
            for index in nodes.indices {
                if let deadline = nodes[index].instance.nextDeadline, deadline <= now {
                    input(index) { $0.tick(now: $1, actions: &$2) }
                }
            }
        }
        now = end
    }

    func state(_ index: Int) -> VRRPState { nodes[index].instance.state }

    /// When node `index` last entered `state` after `time`.
    func entered(_ index: Int, _ state: VRRPState, after time: Int64 = -1) -> Int64? {
        nodes[index].transitions.first { $0.time > time && $0.state == state }?.time
    }

    var vipHolders: [Int] { nodes.indices.filter { nodes[$0].holdsVIPs } }
}

final class VRRPElectionSimulationTests: XCTestCase {
    let addressA = IPv4Address(192, 168, 1, 1)
    let addressB = IPv4Address(192, 168, 1, 2)
    let vips = [IPv4Address(192, 168, 1, 100), IPv4Address(192, 168, 1, 101)]

    func lan(a: UInt8 = 150, b: UInt8 = 100, version: VRRPVersion = .v2, interval: UInt16 = 100,
             intervalB: UInt16? = nil, stateA: VRRPInitialState = .backup, stateB: VRRPInitialState = .backup,
             preemptA: Bool = true, preemptDelayA: Int64 = 0) -> SimulatedLAN {
        let auth: VRRPAuthentication = version == .v2 ? .password(VRRPPassword("fulcrum")) : .none
        return SimulatedLAN([
            VRRPInstanceParameters(vrid: 42, version: version, priority: a, advertIntervalCentiseconds: interval,
                                   initialState: stateA, preempt: preemptA, preemptDelay: preemptDelayA,
                                   primaryAddress: addressA, virtualAddresses: vips, authentication: auth),
            VRRPInstanceParameters(vrid: 42, version: version, priority: b,
                                   advertIntervalCentiseconds: intervalB ?? interval, initialState: stateB,
                                   primaryAddress: addressB, virtualAddresses: vips, authentication: auth),
        ])
    }

    /// A elected; it became MASTER after its own Master_Down_Interval.
    func elected(_ net: inout SimulatedLAN) {
        net.startAll()
        net.run(until: 10 * second)
        XCTAssertEqual(net.state(0), .master)
        XCTAssertEqual(net.state(1), .backup)
        XCTAssertEqual(net.vipHolders, [0])
    }

    func testElectionHigherPriorityWins() {
        var net = lan()
        elected(&net)
        XCTAssertEqual(net.entered(0, .master), 3_414_062)
        XCTAssertNil(net.entered(1, .master))
    }

    func testFailoverAfterMasterDownInterval() {
        var net = lan()
        elected(&net)
        net.nodes[0].linkUp = false
        net.run(until: 20 * second)
        let lastAdvert = net.nodes[1].deliveries.last!
        XCTAssertLessThan(lastAdvert, 10 * second)
        XCTAssertEqual(net.entered(1, .master), lastAdvert + 3_609_375)
        XCTAssertEqual(net.state(1), .master)
        XCTAssertTrue(net.nodes[1].holdsVIPs)
    }

    func testReturningHigherPriorityMasterWinsAtOnce() {
        var net = lan()
        elected(&net)
        net.nodes[0].linkUp = false
        net.run(until: 20 * second)
        // Both are MASTER; the link comes back: B hears 150 and yields on the next advert.
        net.nodes[0].linkUp = true
        net.run(until: 22 * second)
        XCTAssertEqual(net.state(0), .master)
        XCTAssertEqual(net.state(1), .backup)
        XCTAssertLessThanOrEqual(net.entered(1, .backup, after: 20 * second)!, 21 * second + net.latency)
        XCTAssertEqual(net.vipHolders, [0])
    }

    func testPreemptionAfterFaultClears() {
        var net = lan()
        elected(&net)
        net.input(0) { $0.setFault(true, now: $1, actions: &$2) }
        net.run(until: 20 * second)
        XCTAssertEqual(net.state(1), .master)
        net.input(0) { $0.setFault(false, now: $1, actions: &$2) }
        net.run(until: 30 * second)
        // B's lower adverts are ignored: A preempts when its down timer runs out.
        XCTAssertEqual(net.entered(0, .master, after: 20 * second), 20 * second + 3_414_062)
        XCTAssertEqual(net.entered(1, .backup, after: 20 * second), 20 * second + 3_414_062 + net.latency)
        XCTAssertEqual(net.vipHolders, [0])
    }

    func testNopreemptKeepsTheLowerPriorityMaster() {
        var net = lan(preemptA: false)
        elected(&net)
        net.input(0) { $0.setFault(true, now: $1, actions: &$2) }
        net.run(until: 20 * second)
        net.input(0) { $0.setFault(false, now: $1, actions: &$2) }
        net.run(until: 80 * second)
        XCTAssertEqual(net.state(0), .backup)
        XCTAssertEqual(net.state(1), .master)
        XCTAssertEqual(net.vipHolders, [1])
    }

    func testPreemptDelay() {
        var net = lan(preemptDelayA: 10 * second)
        elected(&net)
        net.input(0) { $0.setFault(true, now: $1, actions: &$2) }
        net.run(until: 20 * second)
        net.input(0) { $0.setFault(false, now: $1, actions: &$2) }
        net.run(until: 60 * second)
        // The delay starts at the first lower advert after A came back; the advert that arrives
        // exactly when it runs out is ignored, so A takes over one Master_Down_Interval after
        // the one before it.
        let first = net.nodes[0].deliveries.first { $0 > 20 * second }!
        XCTAssertEqual(net.entered(0, .master, after: 20 * second), first + 9 * second + 3_414_062)
        XCTAssertEqual(net.state(0), .master)
        XCTAssertEqual(net.state(1), .backup)
    }

    func testPriorityZeroHandsOverWithinSkewTime() {
        var net = lan()
        elected(&net)
        net.input(0) { $0.shutdown(now: $1, actions: &$2) }
        net.run(until: 20 * second)
        let takeover = net.entered(1, .master)! - 10 * second
        XCTAssertEqual(takeover, net.latency + 609_375)
        XCTAssertEqual(net.vipHolders, [1])
        XCTAssertEqual(net.state(0), .stop)
    }

    func testEqualPriorityHigherAddressWins() {
        var net = lan(a: 100, b: 100, stateA: .master, stateB: .master)
        net.startAll()
        net.run(until: 10 * second)
        // Both waited one interval plus 1/256 s and became MASTER; B's higher address wins.
        XCTAssertEqual(net.entered(0, .master), second + 3_906)
        XCTAssertEqual(net.entered(1, .master), second + 3_906)
        XCTAssertEqual(net.state(0), .backup)
        XCTAssertEqual(net.state(1), .master)
        XCTAssertEqual(net.vipHolders, [1])
    }

    func testTrackWeightMovesMastership() {
        var net = lan()
        elected(&net)
        net.nodes[0].instance.setPriorityAdjustment(-60)
        net.run(until: 20 * second)
        // A now advertises 90: B ignores it and takes over after its down timer; A yields.
        XCTAssertEqual(net.state(1), .master)
        XCTAssertEqual(net.state(0), .backup)
        XCTAssertEqual(net.vipHolders, [1])
    }

    func testV3FastFailoverWithLearnedInterval() {
        // B is configured with 1 s but learns A's 0.1 s.
        var net = lan(a: 200, b: 100, version: .v3, interval: 10, intervalB: 100)
        net.startAll()
        net.run(until: 5 * second)
        XCTAssertEqual(net.state(0), .master)
        XCTAssertEqual(net.nodes[1].instance.masterAdvertIntervalCentiseconds, 10)
        net.nodes[0].linkUp = false
        net.run(until: 7 * second)
        let failover = net.entered(1, .master)! - 5 * second
        XCTAssertEqual(net.entered(1, .master)! - net.nodes[1].deliveries.last!, 300_000 + 60_937)
        XCTAssertLessThan(failover, 400 * millisecond)
    }
}
