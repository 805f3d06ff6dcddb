import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// Three nodes in a full mesh, without sockets: a worker's change wakes the
/// peers process once per push round, and a count made on whichever node
/// a client reaches is counted once when each change is pushed before the
/// next one (what the wake gives); two changes made from the same value
/// before either is pushed end as the last writer's, as in HAProxy.
extension PeersProtocolTests {
    /// One node: its table as the workers see it (with a waker) and its
    /// peers process's node, over the same regions.
    struct MeshNode {
        let tables: Tables
        let worker: StickTableSet
        let node: PeersNode
    }

    func mesh(_ names: [String], wakes: UnsafeMutablePointer<Int>) -> (nodes: [MeshNode], links: [(Int, Int, Int, Int)]) {
        var nodes: [MeshNode] = []
        for (n, name) in names.enumerated() {
            let t = Tables([definition()])
            let worker = StickTableSet(definitions: t.set.definitions, tables: t.set.tables, locks: [NoLock()])
            worker.clock = t.set.clock
            worker.wakePeers = { wakes[n] += 1 }
            let node = PeersNode(section: section(names), localName: name, pid: Int32(n + 1), tables: t.set, learn: false, now: 0, wallSeconds: 0)
            nodes.append(MeshNode(tables: t, worker: worker, node: node))
        }
        // One session a pair: the first connects to the second.
        var links: [(Int, Int, Int, Int)] = []
        for i in names.indices {
            for j in names.indices where j > i {
                let p = nodes[i].node.peers.firstIndex { $0.name == names[j] }!
                let si = nodes[i].node.connecting(to: p, now: 0)
                nodes[i].node.connected(si, now: 0)
                let sj = nodes[j].node.accepted(now: 0)
                pump(nodes[i].node, si, nodes[j].node, sj, now: 0)
                links.append((i, si, j, sj))
            }
        }
        for m in nodes { XCTAssertEqual(m.node.tick(now: 10), [], "every peer has its session") }
        return (nodes, links)
    }

    /// A tracked request on node `m` (what `http-request track-sc0 src` counts).
    func count(_ m: MeshNode, _ key: [UInt8]) {
        m.worker.withTable(0) { st in
            key.withUnsafeBytes { kb in
                let i = st.findOrCreate(kb, now: m.tables.now)!
                st.add(i, .gpc0, now: m.tables.now)
                st.touch(i, now: m.tables.now)
            }
        }
    }

    func gpc0(_ m: MeshNode, _ key: [UInt8]) -> Int64? {
        m.worker.withTable(0) { st in key.withUnsafeBytes { kb in st.find(kb, now: m.tables.now).flatMap { st.value($0, .gpc0, now: m.tables.now) } } }
    }

    func testThreeNodeMeshCountsOnceWhenEachChangeIsPushedAtOnce() {
        let wakes = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        wakes.initialize(repeating: 0, count: 3)
        defer { wakes.deallocate() }
        let (nodes, links) = mesh(["a", "b", "c"], wakes: wakes)
        func deliver() { for (i, si, j, sj) in links { pump(nodes[i].node, si, nodes[j].node, sj, now: 20) } }
        let key = StickKey.parse("10.0.0.1", .ip)!
        // Requests land on the nodes in no order; each change wakes its
        // node's peers process, which pushes it to both others.
        let order = [0, 1, 1, 2, 0, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2, 0, 1, 2, 2, 0, 1]
        for (r, n) in order.enumerated() {
            let before = wakes[n]
            count(nodes[n], key)
            XCTAssertEqual(wakes[n], before + 1, "request \(r + 1) on \(n) wakes its peers process")
            count(nodes[n], key)
            XCTAssertEqual(wakes[n], before + 1, "once a push round")
            nodes[n].node.pushUpdates(now: 20)
            deliver()
            for m in nodes { XCTAssertEqual(gpc0(m, key), Int64(2 * (r + 1)), "after request \(r + 1)") }
        }
        // What a node learned does not wake it: it is not pushed back.
        XCTAssertEqual((0..<3).map { wakes[$0] }, [0, 1, 2].map { n in order.filter { $0 == n }.count })

        // Two nodes count from the same value before either is pushed:
        // each push replaces the other's count (HAProxy's last writer wins).
        count(nodes[0], key)
        count(nodes[1], key)
        nodes[0].node.pushUpdates(now: 30)
        nodes[1].node.pushUpdates(now: 30)
        deliver()
        let total = Int64(2 * order.count)
        XCTAssertEqual(nodes.map { gpc0($0, key) }, [total + 1, total + 1, total + 1])
    }
}
