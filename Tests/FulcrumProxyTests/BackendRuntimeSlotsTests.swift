import XCTest
import Glibc
import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
@testable import FulcrumProxy

/// A worker's view of a backend's spare slots and run-time addresses, over a
/// real shared table: a slot filled by `add server` becomes a server once
/// the backend's server-set word moves and it leaves maintenance; a freed
/// slot stops being chosen; an address written to the table is used.
final class BackendRuntimeSlotsTests: XCTestCase {
    private var raw: UnsafeMutableRawPointer?
    private var size = 0
    private var table: SharedTable!
    private let location = SourceLocation(file: "t.cfg", line: 1)

    override func setUpWithError() throws {
        size = SharedTable.byteSize(servers: 3, frontends: 0, binds: 0, backends: 1, workers: 1)
        let region = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        raw = try XCTUnwrap(region == MAP_FAILED ? nil : region)
        table = SharedTable(base: raw!, servers: 3, frontends: 0, binds: 0, backends: 1, workers: 1, initialize: true)
    }

    override func tearDown() {
        if let raw { munmap(raw, size) }
    }

    func testSpareSlotsAndAddresses() throws {
        var config = Backend(name: "be", location: location)
        config.mode = .http
        config.servers = [Server(name: "s1", location: location, host: "127.0.0.1", port: 9000, params: ServerParams())]
        table.server(0, .weight).store(1)
        for line in 1...2 { table.server(line, .admin).store(SharedTable.Admin.forcedMaintenance.rawValue) }
        let be = BackendRuntime(index: 0, config: config, firstLine: 0,
                                addresses: [SocketAddress(numericHost: "127.0.0.1", port: 9000)!], spares: 2)
        // Only s1 while the spares are empty.
        for _ in 0..<4 { XCTAssertEqual(be.chooseServer(hashKey: nil, excluding: nil, table: table, now: 1), .server(0)) }

        // `add server be/n1 127.0.0.2:9100 weight 3` into slot 2 (the second spare), in maintenance.
        table.setServerAddress(2, TableServerAddress(ip: IPAddress("127.0.0.2")!, port: 9100))
        table.setDefinition(2, "n1 127.0.0.2:9100 weight 3")
        table.server(2, .weight).store(3)
        table.server(2, .addedOrder).store(1)
        table.server(2, .slot).store(SharedTable.Slot.dynamic.rawValue)
        table.backend(0, .serverSet).add(1)
        for _ in 0..<4 { XCTAssertEqual(be.chooseServer(hashKey: nil, excluding: nil, table: table, now: 1), .server(0)) }
        XCTAssertEqual(be.servers[2].name, "n1")
        XCTAssertEqual(be.servers[2].address, SocketAddress(numericHost: "127.0.0.2", port: 9100)!)

        // `enable server`: it takes its share (3 of 4).
        table.server(2, .admin).store(0)
        var picks = [0, 0, 0]
        for _ in 0..<40 {
            guard case .server(let i) = be.chooseServer(hashKey: nil, excluding: nil, table: table, now: 1) else { return XCTFail() }
            picks[i] += 1
        }
        XCTAssertEqual(picks, [10, 0, 30])

        // `set server be/s1 addr`: read at the next connect.
        table.setServerAddress(0, TableServerAddress(ip: IPAddress("::1")!, port: 9200))
        XCTAssertTrue(be.refreshAddress(0, table))
        XCTAssertFalse(be.refreshAddress(0, table), "read once")
        XCTAssertEqual(be.servers[0].address, SocketAddress(numericHost: "::1", port: 9200)!)

        // `disable server` + `del server`: never chosen again.
        table.server(2, .admin).store(SharedTable.Admin.forcedMaintenance.rawValue)
        table.server(2, .slot).store(SharedTable.Slot.deleted.rawValue)
        table.backend(0, .serverSet).add(1)
        for _ in 0..<4 { XCTAssertEqual(be.chooseServer(hashKey: nil, excluding: nil, table: table, now: 1), .server(0)) }
        XCTAssertEqual(be.liveCount, 1)
    }
}
