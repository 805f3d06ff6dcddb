import XCTest
import Glibc
@testable import FulcrumCore

final class SharedTableTests: XCTestCase {
    func testLayoutSeparatesLinesAndAttachesByHeader() throws {
        // 3 servers, 1 frontend with 2 binds, 2 backends, 2 workers.
        let size = SharedTable.byteSize(servers: 3, frontends: 1, binds: 2, backends: 2, workers: 2)
        // 2 header lines, servers, proxy lines and worker lines of 32 words; 2 worker
        // blocks + the history block of 8 counter lines of 64 words; a
        // definition line per server (`add server`), a settings word per
        // server and the settings region's one word (show errors' events).
        XCTAssertEqual(size, ((2 + 3 + 5 + 2) * 32 + 3 * 8 * 64 + 3 * 32 + 3 + 1) * 8)
        let raw = try XCTUnwrap(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        defer { munmap(raw, size) }
        let t = SharedTable(base: raw, servers: 3, frontends: 1, binds: 2, backends: 2, workers: 2, initialize: true)
        XCTAssertEqual(t.server(2, .operational).load(), SharedTable.Operational.up.rawValue)
        t.server(1, .weight).store(7)
        t.serverCounter(worker: 1, server: 2, .bytesOut).bump(by: 5)
        let a = try XCTUnwrap(SharedTable(attaching: raw, size: size))
        XCTAssertEqual(a.servers, 3); XCTAssertEqual(a.frontends, 1); XCTAssertEqual(a.binds, 2)
        XCTAssertEqual(a.backends, 2); XCTAssertEqual(a.workers, 2)
        t.bind(1, .conns).store(4)
        XCTAssertEqual(a.frontend(0, .conns).load(), 0, "bind lines follow the frontend lines")
        XCTAssertEqual(a.bind(1, .conns).load(), 4)
        t.backendCounter(worker: 0, backend: 1, .sessions).bump()
        t.serverCounter(worker: 1, server: 2, .sessions).bump(by: 2)
        XCTAssertEqual(a.serverTotal(2, .sessions), 2)
        XCTAssertEqual(a.backendCounter(worker: 0, backend: 1, .sessions).load(), 1)
        XCTAssertEqual(a.server(1, .weight).load(), 7)
        XCTAssertEqual(a.serverCounter(worker: 1, server: 2, .bytesOut).load(), 5)
        // The settings region: a server's maxconn, the error events, at the very end of the region.
        XCTAssertNil(a.serverMaxconnSetting(2))
        t.setServerMaxconn(2, to: 0)
        XCTAssertEqual(a.serverMaxconnSetting(2), 0, "0 is a value (no limit), not 'as configured'")
        XCTAssertNil(a.serverMaxconnSetting(1))
        XCTAssertEqual(t.nextErrorEvent(), 0)
        XCTAssertEqual(t.nextErrorEvent(), 1)
        XCTAssertEqual(a.errorEvents, 2)
        XCTAssertEqual(raw.load(fromByteOffset: size - 8, as: UInt64.self), 2, "the last word of the table")
        XCTAssertEqual(a.serverCounter(worker: 0, server: 2, .bytesOut).load(), 0, "per-worker blocks are separate")
        XCTAssertNil(SharedTable(attaching: raw, size: 256), "a region smaller than its layout is refused")
        raw.storeBytes(of: UInt64(0), as: UInt64.self)
        XCTAssertNil(SharedTable(attaching: raw, size: size), "wrong magic is refused")
    }

    func testReserveHoldsTheLimit() throws {
        let size = SharedTable.byteSize(servers: 1, frontends: 0, binds: 0, backends: 1, workers: 1)
        let raw = try XCTUnwrap(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        defer { munmap(raw, size) }
        let t = SharedTable(base: raw, servers: 1, frontends: 0, binds: 0, backends: 1, workers: 1, initialize: true)
        let w = t.server(0, .conns)
        XCTAssertTrue(w.reserve(limit: 2))
        XCTAssertTrue(w.reserve(limit: 2))
        XCTAssertFalse(w.reserve(limit: 2))
        XCTAssertEqual(w.load(), 2)
        w.subtract(1)
        XCTAssertTrue(w.reserve(limit: 2))
        XCTAssertTrue(w.reserve(limit: 0), "0 means no limit")
        XCTAssertEqual(w.load(), 3)
        let m = t.server(0, .maxConns)
        m.raise(to: 5); m.raise(to: 3)
        XCTAssertEqual(m.load(), 5)
    }
}
