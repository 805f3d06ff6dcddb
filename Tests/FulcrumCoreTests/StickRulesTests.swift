import XCTest
import CAllocationCounter
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// `http-request track-sc0 src` + `deny deny_status 429 if {
/// sc_http_req_rate(0) gt 10 }` evaluated on the pure rules: the 11th
/// request is denied, the counters and the key are in the table, and
/// (optimized builds) a tracked request allocates nothing.
final class StickRulesTests: XCTestCase {
    struct NoLock: StickTableLocking {
        func withLock<R>(repair: () -> Void, _ body: () -> R) -> R { body() }
    }

    final class Tables {
        let set: StickTableSet
        let region: UnsafeMutableRawPointer
        var now: UInt32 = 50_000
        init(_ t: StickTableDefinition) {
            let size = SharedStickTable.regionSize(t)
            region = .allocate(byteCount: size, alignment: 64)
            region.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            set = StickTableSet(definitions: [t], tables: [SharedStickTable(formatting: region, t)], locks: [NoLock()])
            set.clock = { [unowned self] in self.now }
        }
        deinit { region.deallocate() }
    }

    func definition() -> StickTableDefinition {
        var t = StickTableDefinition(name: "fe", location: ruleLoc, keyType: .ip, size: 100)
        t.expire = 30_000
        t.data = [StickStoredData(.connCurrent), StickStoredData(.httpReqCount), StickStoredData(.httpReqRate, period: 10_000)]
        return t
    }

    func rules() throws -> HTTPCompiledRules {
        var s = HTTPProxySettings()
        s.acls = [aclDef("abuse", "sc_http_req_rate(0)", .int, ["gt 10"])]
        s.requestRules = [
            HTTPRequestRule(location: ruleLoc, action: .stick(.track(counter: 0, key: SampleFetch(name: "src"), table: nil)), condition: nil),
            HTTPRequestRule(location: ruleLoc, action: .deny(status: 429), condition: cond([[named("abuse")]])),
        ]
        return try HTTPCompiledRules(proxyName: "fe", settings: s, acls: ACLSet(s.acls, userlists: [], crypt: noCrypt))
    }

    let request = parseHead("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    let connection = HTTPConnectionInfo(source: IPAddress("192.168.1.10")!, sourcePort: 40000,
                                        destination: IPAddress("10.0.0.1")!, destinationPort: 80)

    func testTheEleventhRequestIsDenied() throws {
        let tables = Tables(definition())
        let rules = try rules()
        let tracker = StickTracker(tables: tables.set)
        var denied: [Bool] = []
        for _ in 0..<13 {
            var ctx = HTTPRuleContext(request: request, connection: connection)
            ctx.stick = tracker
            if case .respond = HTTPRequestProcessing.frontend(rules, defaultBackend: "be", context: &ctx) { denied.append(true) } else { denied.append(false) }
            XCTAssertEqual(tracker.withEntry(0) { t, i, _ in t.references(i) }, 1, "held while the exchange runs")
            tracker.endExchange()
            tables.now &+= 10
        }
        XCTAssertEqual(denied, Array(repeating: false, count: 10) + [true, true, true])
        let shown = StickTableCommands.answer(["show", "table", "fe"], level: 2, tables: tables.set)!
        XCTAssertTrue(shown.hasPrefix("# table: fe, type: ip, size:100, used:1\n0x"), shown)
        XCTAssertTrue(shown.hasSuffix(": key=192.168.1.10 use=0 exp=29990 conn_cur=0 http_req_cnt=13 http_req_rate(10000)=13\n"), shown)
        XCTAssertEqual(StickTableCommands.answer(["show", "table", "fe"], level: 0, tables: tables.set),
                       "# table: fe, type: ip, size:100, used:1\n# contents not dumped due to insufficient privileges\n")
        XCTAssertEqual(StickTableCommands.answer(["clear", "table", "fe"], level: 0, tables: tables.set), "Permission denied\n")
    }

    func testATrackedRequestAllocatesNothing() throws {
        #if DEBUG
        throw XCTSkip("allocation budgets hold for optimized code: swift test -c release --filter StickRulesTests")
        #else
        let tables = Tables(definition())
        let rules = try rules()
        let tracker = StickTracker(tables: tables.set)
        // As in a worker of a node with peers: every request wakes them.
        var wakes = 0
        tables.set.wakePeers = { wakes += 1 }
        func one() {
            tables.set.withTable(0) { $0.armPeersWake() }
            var ctx = HTTPRuleContext(request: request, connection: connection)
            ctx.stick = tracker
            _ = HTTPRequestProcessing.frontend(rules, defaultBackend: "be", context: &ctx)
            tracker.endExchange()
        }
        for _ in 0..<10 { one() }
        fulcrum_allocations_reset()
        for _ in 0..<200 { one() }
        // A denied request builds its 429 page: count only the allowed ones.
        tables.set.withTable(0) { $0.reset() }
        fulcrum_allocations_reset()
        for _ in 0..<10 { one() }
        XCTAssertEqual(fulcrum_allocations_count(), 0, "track-sc0 + sc_http_req_rate ACL on 10 allowed requests, each waking the peers")
        XCTAssertEqual(wakes, 220)
        #endif
    }
}
