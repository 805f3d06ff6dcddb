import XCTest

extension XCTestCase {
    /// Skips unless root with `ip` installed, then builds a `VRRPLab` with
    /// `nodes` nodes that is destroyed when the test ends, pass or fail. On a
    /// failure, the output of every process started in the lab is printed.
    func makeVRRPLab(nodes: Int = 2, namePrefix: String = VRRPLab.namePrefix) throws -> VRRPLab {
        try requireRoot("network namespaces for the VRRP lab")
        try requireTool("ip")
        let lab = try VRRPLab(nodes: nodes, namePrefix: namePrefix)
        addTeardownBlock { [weak self] in
            if let run = self?.testRun, run.totalFailureCount > 0 {
                for process in lab.startedProcesses {
                    let tail = (process.stdout + process.stderr).split(separator: "\n").suffix(60)
                    print("---- \(process.label) in \(process.namespace) (\(process.exitStatus.map { "\($0)" } ?? "running")):\n"
                          + tail.joined(separator: "\n") + "\n----")
                }
            }
            lab.destroy()
            let left = lab.allNamespaces.filter { access("/run/netns/\($0)", F_OK) == 0 }
            XCTAssertEqual(left, [], "namespaces left behind by lab \(lab.name)")
        }
        return lab
    }
}
