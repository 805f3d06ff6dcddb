import XCTest
import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix
@testable import FulcrumProxy

/// The worker's server choice for one backend over a real shared table: what
/// a full server does under each algorithm, and slowstart's weight and
/// connection-limit ramps.
final class BackendRuntimeTests: XCTestCase {
    private var raw: UnsafeMutableRawPointer?
    private var size = 0
    private var table: SharedTable!
    private let location = SourceLocation(file: "t.cfg", line: 1)
    private let client = SocketAddress(numericHost: "10.0.0.7", port: 40_000)!

    override func setUpWithError() throws {
        size = SharedTable.byteSize(servers: 3, frontends: 0, binds: 0, backends: 1, workers: 1)
        let region = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        raw = try XCTUnwrap(region == MAP_FAILED ? nil : region)
        table = SharedTable(base: raw!, servers: 3, frontends: 0, binds: 0, backends: 1, workers: 1, initialize: true)
    }

    override func tearDown() {
        if let raw { munmap(raw, size) }
    }

    /// A backend of `count` servers with `params`, their table lines at 0...
    private func backend(_ balance: BalanceAlgorithm, _ method: HashType.Method = .mapBased, count: Int = 2,
                         params: ServerParams) -> BackendRuntime {
        var config = Backend(name: "be", location: location)
        config.balance = balance
        config.hashType.method = method
        config.servers = (0..<count).map {
            Server(name: "s\($0 + 1)", location: location, host: "127.0.0.1", port: 9_000 + $0, params: params)
        }
        for i in 0..<count { table.server(i, .weight).store(UInt64(params.weight)) }
        let addresses = (0..<count).map { SocketAddress(numericHost: "127.0.0.1", port: 9_000 + $0)! }
        return BackendRuntime(index: 0, config: config, firstLine: 0, addresses: addresses)
    }

    private func request(_ text: String) -> HTTPHead? {
        guard case .complete(let head, _) = HTTPParser.parseRequest(Array(text.utf8), limits: HTTPLimits()) else { return nil }
        return head
    }

    private func maxconn(_ n: Int, slowstart: Int? = nil, weight: Int = 1) -> ServerParams {
        var p = ServerParams()
        p.maxconn = n
        p.slowstart = slowstart
        p.weight = weight
        return p
    }

    // MARK: a full server

    /// Each hash algorithm, both hash-types: the server the key names takes
    /// the first request; at its maxconn the second request with the same key
    /// is still given that server (whose slot it then fails to get: the
    /// worker queues it) instead of another one.
    func testHashAlgorithmsKeepAFullServerChosen() throws {
        let head = try XCTUnwrap(request("GET /cart/42?id=7 HTTP/1.1\r\nHost: a\r\nX-User: bob\r\n\r\n"))
        let algorithms: [BalanceAlgorithm] = [.source, .uri(whole: false, length: 0, depth: 0), .urlParam("id"), .header("X-User")]
        for algorithm in algorithms {
            for method in [HashType.Method.mapBased, .consistent] {
                for line in 0..<2 { table.server(line, .conns).store(0) }
                let be = backend(algorithm, method, params: maxconn(1))
                let key = try XCTUnwrap(be.hashKey(peer: client) { head }, "\(algorithm)")
                guard case .server(let first) = be.chooseServer(hashKey: key, excluding: nil, table: table, now: 1) else {
                    return XCTFail("\(algorithm) \(method): no server")
                }
                XCTAssertTrue(be.reserveSlot(first, table: table, now: 1))
                XCTAssertEqual(be.chooseServer(hashKey: key, excluding: nil, table: table, now: 1), .server(first),
                               "\(algorithm) \(method): the full server stays the choice")
                XCTAssertFalse(be.reserveSlot(first, table: table, now: 1), "it is full: the session waits for it")
            }
        }
    }

    /// Without a key (no such header) a hash algorithm falls back to round
    /// robin, and that routes around the full server like roundrobin does.
    func testKeylessAndNonHashChoicesRouteAroundAFullServer() throws {
        let head = try XCTUnwrap(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        for algorithm in [BalanceAlgorithm.header("X-User"), .roundRobin, .leastConn, .first] {
            for line in 0..<2 { table.server(line, .conns).store(0) }
            let be = backend(algorithm, params: maxconn(1))
            let key = be.hashKey(peer: client) { head }
            XCTAssertNil(key, "\(algorithm)")
            XCTAssertTrue(be.reserveSlot(0, table: table, now: 1))
            for _ in 0..<4 {
                XCTAssertEqual(be.chooseServer(hashKey: key, excluding: nil, table: table, now: 1), .server(1), "\(algorithm)")
            }
            XCTAssertTrue(be.reserveSlot(1, table: table, now: 1))
            XCTAssertEqual(be.chooseServer(hashKey: key, excluding: nil, table: table, now: 1), .full,
                           "\(algorithm): every server full, the session queues")
        }
    }

    /// Mode tcp has no request: an HTTP key is absent, the source key is not.
    func testModeTCPHasOnlyTheSourceKey() {
        XCTAssertNil(backend(.uri(whole: false, length: 0, depth: 0), params: maxconn(0)).hashKey(peer: client) { nil })
        let source = backend(.source, params: maxconn(0))
        XCTAssertEqual(source.hashKey(peer: client) { nil }, source.balancer.hashKey(sourceIPv4: 0x0A00_0007))
    }

    // MARK: slowstart

    /// `balance first` with slowstart: the returning first server's
    /// connection limit grows from 1 to its maxconn over the ramp, so the
    /// next server takes the overflow meanwhile (HAProxy's srv_dynamic_maxconn).
    func testFirstFillsARampingServerOnlyUpToItsRampedLimit() {
        let be = backend(.first, params: maxconn(10, slowstart: 10_000))
        table.server(0, .upSince).store(1_000)
        func firstServerTakes(at now: Int64) -> Int {
            for line in 0..<2 { table.server(line, .conns).store(0) }
            var taken = 0
            for _ in 0..<20 {
                guard case .server(let i) = be.chooseServer(hashKey: nil, excluding: nil, table: table, now: now),
                      be.reserveSlot(i, table: table, now: now) else { break }
                if i == 0 { taken += 1 }
            }
            return taken
        }
        XCTAssertEqual(firstServerTakes(at: 1_000), 1, "just UP: one connection")
        XCTAssertEqual(firstServerTakes(at: 4_000), 3, "30% of 10 after 3 s")
        XCTAssertEqual(firstServerTakes(at: 9_500), 8)
        XCTAssertEqual(firstServerTakes(at: 11_000), 10, "ramp over")
    }

    /// Consistent hashing with slowstart: the returning server owns a growing
    /// share of the keys over the ramp; map-based hashing (static) does not ramp.
    func testConsistentHashingRampsAReturningServer() {
        func share(_ method: HashType.Method, at now: Int64) -> Double {
            let be = backend(.source, method, params: maxconn(0, slowstart: 10_000, weight: 10))
            table.server(1, .upSince).store(1_000)
            var owned = 0
            for k in 0..<2_000 {
                let key = LBHash.source(ipv4: 0x0A00_0000 | UInt32(k), avalanche: true)
                if be.chooseServer(hashKey: key, excluding: nil, table: table, now: now) == .server(1) { owned += 1 }
            }
            return Double(owned) / 2_000
        }
        let ramp = [1_000, 4_000, 7_000, 11_000].map { share(.consistent, at: Int64($0)) }
        XCTAssertEqual(ramp, ramp.sorted(), "\(ramp)")
        XCTAssertLessThan(ramp[0], 0.15, "1/16 of its weight at first: \(ramp)")
        XCTAssertEqual(ramp[3], 0.5, accuracy: 0.1, "\(ramp)")
        XCTAssertEqual(share(.mapBased, at: 1_000), share(.mapBased, at: 11_000), "map-based hashing is static")
    }
}
