import XCTest

/// Which speaker runs on a lab node.
enum VRRPSpeakerKind: String { case fulcrum, keepalived }

/// Starts the usual pair on a lab: node 1 (state MASTER, priority 150) and
/// node 2 (BACKUP, priority 100) with one VIP, `configure` applied to both
/// configs (`node` tells which); returns once node 1 is MASTER with the VIP and node 2 BACKUP.
func startVRRPPair(_ lab: VRRPLab, _ first: VRRPSpeakerKind, _ second: VRRPSpeakerKind,
                   configure: (inout KeepalivedConfig, _ node: Int) -> Void = { _, _ in },
                   file: StaticString = #filePath, line: UInt = #line) throws -> (VRRPLabNode, VRRPLabNode) {
    var firstConfig = KeepalivedConfig()
    firstConfig.routerID = "node1"
    firstConfig.state = "MASTER"
    firstConfig.priority = 150
    configure(&firstConfig, 1)
    var secondConfig = KeepalivedConfig()
    secondConfig.routerID = "node2"
    configure(&secondConfig, 2)
    if firstConfig.version == 3 { firstConfig.authPass = nil; secondConfig.authPass = nil }
    if !firstConfig.unicastPeers.isEmpty {
        firstConfig.unicastSource = lab.nodeAddress(1)
        firstConfig.unicastPeers = [lab.nodeAddress(2)]
        secondConfig.unicastSource = lab.nodeAddress(2)
        secondConfig.unicastPeers = [lab.nodeAddress(1)]
    }
    let a = try startVRRPNode(first, lab, node: 1, config: firstConfig)
    let b = try startVRRPNode(second, lab, node: 2, config: secondConfig)
    try a.waitForState("MASTER", timeout: 10)
    try b.waitForState("BACKUP", timeout: 10)
    XCTAssertTrue(lab.waitForOwner(VRRPLab.virtualAddress(), node: 1, timeout: 5),
                  "owners: \(String(describing: try? lab.owners(of: VRRPLab.virtualAddress())))", file: file, line: line)
    return (a, b)
}

func startVRRPNode(_ kind: VRRPSpeakerKind, _ lab: VRRPLab, node: Int, config: KeepalivedConfig) throws -> VRRPLabNode {
    switch kind {
    case .fulcrum: return try FulcrumVRRPNode(lab: lab, node: node, config: config)
    case .keepalived: return try KeepalivedNode(lab: lab, node: node, config: config)
    }
}

/// keepalived logs no complaint about the peer's packets (checksum, version,
/// authentication, address count...).
func assertNoKeepalivedComplaints(_ nodes: [VRRPLabNode], file: StaticString = #filePath, line: UInt = #line) {
    for case let k as KeepalivedNode in nodes {
        XCTAssertEqual(k.complaints(), [], "keepalived on node \(k.node) complained", file: file, line: line)
    }
}

/// RFC 5798's Skew_Time and Master_Down_Interval in seconds.
enum VRRPTimes {
    static func skew(priority: Int, advert: Double) -> Double { Double(256 - priority) * advert / 256 }
    static func masterDown(priority: Int, advert: Double) -> Double { 3 * advert + skew(priority: priority, advert: advert) }
}
