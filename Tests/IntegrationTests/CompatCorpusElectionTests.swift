import XCTest
import Foundation

/// Issue 15's target, the keepalived side (CompatCorpusRunTests does the haproxy files): every
/// real keepalived.conf of the shared compatibility corpus (../shared/compat/keepalived) that
/// `keepalived -t` and `fulcrum -c` both accept is run alone on a one-node lab, rewritten by
/// CompatKeepalivedRewrite, by Fulcrum and, on a lab of its own, by keepalived 2.2.7: every
/// vrrp_instance reaches MASTER under both, every VIP is on its interface under Fulcrum, and the
/// node ends with the very addresses keepalived gives it (VIPs and static addresses).
final class CompatCorpusElectionTests: XCTestCase {
    private func corpusDirectory() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["FULCRUM_COMPAT_DIR"],
                          FulcrumReleaseBinary.packageRoot + "/../shared/compat"].compactMap { $0 }
        for c in candidates where FileManager.default.fileExists(atPath: c + "/keepalived") { return c + "/keepalived" }
        throw XCTSkip("the shared compatibility corpus is not here (set FULCRUM_COMPAT_DIR or keep ../shared/compat)")
    }

    /// A one-node lab with the corpus's interfaces.
    private func lab() throws -> (VRRPLab, String) {
        let lab = try makeVRRPLab(nodes: 1)
        let ns = lab.nodeNamespace(1)
        try CompatKeepalivedRewrite.prepareInterfaces(lab, namespace: ns)
        return (lab, ns)
    }

    private func allMaster(_ node: VRRPLabNode, _ instances: [String]) -> Bool {
        instances.allSatisfy { node.state(instance: $0) == "MASTER" }
    }

    func testEveryAcceptedCorpusFileElectsItsInstancesAndHoldsTheirVIPs() throws {
        let keepalivedPath = try requireTool("keepalived")
        let dir = try corpusDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".conf") }.sorted()
        var ran: [String] = []
        for name in files {
            let original = FileBytes.readText(dir + "/" + name) ?? ""
            let (fulcrumLab, fulcrumNS) = try lab()
            let (keepalivedLab, keepalivedNS) = try lab()
            defer {
                fulcrumLab.destroy()
                keepalivedLab.destroy()
            }
            let rewrite = CompatKeepalivedRewrite(text: original, nodeAddress: fulcrumLab.nodeAddress(1))
            // As check.sh: `keepalived -t -i high` for the conditional sample, `fulcrum -c` without
            // -i; both run it with the default config id (the host name), whose lines are the same.
            let extra = name.contains("conditional_conf") ? ["-i", "high"] : []
            let file = try fulcrumLab.directory.write(name, rewrite.text)
            let keepalivedCheck = try keepalivedLab.run(in: keepalivedNS, keepalivedPath, ["-t"] + extra + ["-f", file], timeout: 30)
            let fulcrumCheck = try fulcrumLab.run(in: fulcrumNS, try FulcrumBinary.path(), ["-c", "-f", file], timeout: 30)
            // As check.sh: keepalived exits 5/6 for warnings it still runs with.
            let keepalivedAccepts = [0, 5, 6].contains(keepalivedCheck.status) && !keepalivedCheck.timedOut
            guard keepalivedAccepts, fulcrumCheck.succeeded else {
                print("corpus file not run: \(name): keepalived -t \(keepalivedAccepts ? "accepts" : "refuses"), "
                      + "fulcrum -c \(fulcrumCheck.succeeded ? "accepts" : "refuses: " + fulcrumCheck.output.prefix(300))")
                continue
            }
            XCTAssertFalse(rewrite.instances.isEmpty, "\(name): no vrrp_instance found")

            let fulcrum = try FulcrumVRRPNode(lab: fulcrumLab, node: 1, config: rewrite.text)
            let keepalived = try KeepalivedNode(lab: keepalivedLab, node: 1, config: rewrite.text)
            // The longest wait in the corpus: the conditional sample's advert_int 12, BACKUP:
            // 3 × 12 s plus the skew.
            let elected = waitUntil(timeout: 45, interval: 0.1) {
                allMaster(fulcrum, rewrite.instances) && allMaster(keepalived, rewrite.instances)
            }
            XCTAssertTrue(elected, "\(name): every instance MASTER? fulcrum: "
                          + rewrite.instances.map { "\($0)=\(fulcrum.state(instance: $0) ?? "-")" }.joined(separator: " ")
                          + "; keepalived: "
                          + rewrite.instances.map { "\($0)=\(keepalived.state(instance: $0) ?? "-")" }.joined(separator: " ")
                          + "\nfulcrum log:\n" + fulcrum.logTail())

            // Every VIP on its interface under Fulcrum, and the same addresses as keepalived's.
            var fulcrumAddresses: [String] = []
            var keepalivedAddresses: [String] = []
            let same = waitUntil(timeout: 5, interval: 0.1) {
                fulcrumAddresses = (try? CompatKeepalivedRewrite.addresses(fulcrumLab, namespace: fulcrumNS)) ?? []
                keepalivedAddresses = (try? CompatKeepalivedRewrite.addresses(keepalivedLab, namespace: keepalivedNS)) ?? []
                return fulcrumAddresses == keepalivedAddresses
                    && rewrite.virtualAddresses.allSatisfy { vip in
                        fulcrumAddresses.contains { $0.hasPrefix("\(vip.device) \(vip.address)/") }
                    }
            }
            for vip in rewrite.virtualAddresses {
                XCTAssertTrue(fulcrumAddresses.contains { $0.hasPrefix("\(vip.device) \(vip.address)/") },
                              "\(name): (\(vip.instance)) \(vip.address) on \(vip.device): \(fulcrumAddresses)")
            }
            XCTAssertTrue(same, "\(name): addresses\n  fulcrum:    \(fulcrumAddresses)\n  keepalived: \(keepalivedAddresses)")
            fulcrum.stop()
            keepalived.stop()
            ran.append(name)
        }
        print("corpus keepalived files elected: \(ran.count): \(ran.joined(separator: ", "))")
        // 15 on 2026-12-07 (check.sh's 15 keepalived passes): a floor, so the corpus cannot
        // silently stop running.
        XCTAssertGreaterThanOrEqual(ran.count, 15, "accepted corpus files run: \(ran)")
    }
}
